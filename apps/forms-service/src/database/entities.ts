import { FormEntity } from '../forms/form.entity';
import { FormSchemaEntity } from '../forms/form-schema.entity';
import { FormSubmissionEntity } from '../forms/form-submission.entity';
import { ShortLinkEntity } from '../short-links/short-link.entity';
import { FormTemplateEntity } from '../templates/form-template.entity';
import { FormThemeEntity } from '../themes/form-theme.entity';

/** Every entity of forms-service, one per table it owns. */
export const FORMS_ENTITIES = [FormEntity, FormThemeEntity, FormSchemaEntity, FormSubmissionEntity, ShortLinkEntity, FormTemplateEntity];
