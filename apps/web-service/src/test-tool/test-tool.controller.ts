import { GoneError } from '@nafs/http';
import { All, Controller } from '@nestjs/common';

const GONE = 'The generated test tool was a scaffolding artefact and is no longer served';

/**
 * `/api/tools/test-tool` (W37–W41): answered 410 for every method and path (the route family's E3 body).
 * Legacy served these five routes over a `test_tool` table that never existed (every call was a
 * 500), and no client uses them (frontend-contract.md #47: dead). See the service README.
 */
@Controller('api/tools/test-tool')
export class TestToolController {
  @All()
  root(): never {
    throw new GoneError('GONE', GONE);
  }

  @All('*path')
  any(): never {
    throw new GoneError('GONE', GONE);
  }
}
