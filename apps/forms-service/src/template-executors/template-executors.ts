import { Injectable } from '@nestjs/common';

import { AppointmentExecutor } from './appointment.executor';
import { InventoryExecutor } from './inventory.executor';
import { PollExecutor } from './poll.executor';
import { QuizExecutor } from './quiz.executor';
import type { BusinessLogicConfig, TemplateExecutor } from './template-executor';

/** The executor of a config's `type`; none for `order` or unknown types (the submission is stored as is). */
@Injectable()
export class TemplateExecutors {
  private readonly byType: Map<string, TemplateExecutor>;

  constructor(quiz: QuizExecutor, poll: PollExecutor, appointment: AppointmentExecutor, inventory: InventoryExecutor) {
    this.byType = new Map<string, TemplateExecutor>([quiz, poll, appointment, inventory].map((executor) => [executor.type, executor]));
  }

  for(config: BusinessLogicConfig | null): TemplateExecutor | null {
    return config ? (this.byType.get(config.type) ?? null) : null;
  }
}

export const TEMPLATE_EXECUTOR_PROVIDERS = [QuizExecutor, PollExecutor, AppointmentExecutor, InventoryExecutor, TemplateExecutors];
