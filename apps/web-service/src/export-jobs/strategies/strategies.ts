import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';

import type { FormExportSource, ThemeAssetRef, ThemeExportSource } from '@nafs/contracts';

import {
  type ExportStep,
  type ExportStrategy,
  extractDataUrlAssets,
  json,
  metadataId,
  PermanentStepError,
  type StepContext,
  type ToolType,
} from './export-strategy';
import { writeTarGz } from './package-archive';

export const packageKey = (jobId: string) => `exports/${jobId}.tar.gz`;

export interface BuiltPackage {
  key: string;
  sizeBytes: number;
  checksum: string;
}

/** The last step of every strategy: the scratch directory as a .tar.gz in the object storage. */
function packageStep(name: string): ExportStep {
  return {
    name,
    retryable: true,
    async run(context) {
      const archive = `${context.workDir}.tar.gz`;
      try {
        const { sizeBytes, checksum } = await writeTarGz(context.workDir, context.tool.toolId, archive, context.signal);
        const key = packageKey(context.jobId);
        await context.storage.putStream(key, createReadStream(archive), sizeBytes, 'application/gzip');
        context.state.package = { key, sizeBytes, checksum } satisfies BuiltPackage;
      } finally {
        await rm(archive, { force: true });
      }
    },
    async rollback(context) {
      await context.storage.delete(packageKey(context.jobId));
    },
  };
}

const formSource = (context: StepContext) => context.state.form as FormExportSource;
const themeSource = (context: StepContext) => context.state.theme as ThemeExportSource;

async function writeTheme(context: StepContext, theme: ThemeExportSource, dir: string): Promise<string[]> {
  const readAsset = (ref: ThemeAssetRef) => context.forms.themeAsset(theme.id, ref, context.signal);
  const config = await extractDataUrlAssets(theme.themeConfig, `${dir}/assets`, context, readAsset);
  const definition = await extractDataUrlAssets(theme.themeDefinition, `${dir}/assets/definition`, context, readAsset);
  await context.write(`${dir}/theme.json`, json({ ...theme, themeConfig: config.value, themeDefinition: definition.value }));
  return [...config.files, ...definition.files];
}

/** forms (legacy 8 steps), built from the form's latest schema, submission count and theme. */
const FORMS: ExportStrategy = {
  type: 'forms',
  steps: [
    {
      name: 'validate-form-data',
      retryable: true,
      async run(context) {
        const formSchemaId = metadataId(context.tool, 'formSchemaId');
        if (!formSchemaId) throw new PermanentStepError('The tool manifest has no toolMetadata.formSchemaId');
        const source = await context.forms.formSource(formSchemaId);
        if (source.latestSchema.fieldCount === 0) throw new PermanentStepError(`Form schema ${source.latestSchema.id} has no fields`);
        context.state.form = source;
      },
    },
    {
      name: 'generate-express-boilerplate',
      async run(context) {
        const { form } = formSource(context);
        await context.write(
          'package.json',
          json({
            name: context.tool.toolId,
            version: context.tool.version,
            private: true,
            main: 'src/server.js',
            scripts: { start: 'node src/server.js' },
            dependencies: { express: '^4.18.2', '@prisma/client': '^5.6.0' },
          }),
        );
        await context.write(
          'src/server.js',
          [
            "const express = require('express');",
            "const schema = require('../schemas/schema.json');",
            'const app = express();',
            'app.use(express.json());',
            `// ${form.title.replace(/\n/g, ' ')}`,
            "app.get('/api/form', (_req, res) => res.json(schema));",
            "app.post('/api/submissions', (req, res) => res.status(201).json({ received: req.body }));",
            'app.listen(process.env.PORT || 3000);',
            '',
          ].join('\n'),
        );
      },
    },
    {
      name: 'copy-form-schemas',
      async run(context) {
        const source = formSource(context);
        await context.write('schemas/form.json', json(source.form));
        await context.write('schemas/schema.json', json(source.latestSchema.schemaJson));
        await context.write(
          'schemas/schema-meta.json',
          json({
            ...source.latestSchema,
            schemaJson: undefined,
            requestedSchemaId: source.requestedSchemaId,
            submissionCount: source.submissionCount,
          }),
        );
        if (source.theme) await writeTheme(context, source.theme, 'theme');
      },
    },
    {
      name: 'generate-prisma-schema',
      async run(context) {
        await context.write(
          'prisma/schema.prisma',
          [
            'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}',
            'generator client {\n  provider = "prisma-client-js"\n}',
            'model Submission {\n  id          String   @id @default(uuid())\n  values      Json\n  submittedAt DateTime @default(now())\n}',
            '',
          ].join('\n\n'),
        );
      },
    },
    {
      name: 'generate-migrations',
      async run(context) {
        await context.write(
          'migrations/001_init.sql',
          'CREATE TABLE IF NOT EXISTS "Submission" (id uuid PRIMARY KEY, "values" jsonb NOT NULL, "submittedAt" timestamptz NOT NULL DEFAULT now());\n',
        );
      },
    },
    {
      name: 'generate-docker-config',
      async run(context) {
        await context.write(
          'Dockerfile',
          'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install --omit=dev\nCMD ["npm", "start"]\n',
        );
        await context.write(
          'docker-compose.yml',
          `services:\n  app:\n    build: .\n    ports: ["3000:3000"]\n    environment:\n      DATABASE_URL: postgres://postgres@db:5432/${context.tool.toolId.replace(/-/g, '_')}\n  db:\n    image: postgres:15\n`,
        );
      },
    },
    {
      name: 'generate-readme',
      async run(context) {
        const source = formSource(context);
        await context.write(
          'README.md',
          `# ${context.tool.name}\n\nExported from form "${source.form.title}" (schema version ${source.latestSchema.schemaVersion}, ${source.latestSchema.fieldCount} fields, ${source.submissionCount} submissions at export time)${source.theme ? `, theme "${source.theme.name}"` : ''}.\n\n\`npm install && npm start\`\n`,
        );
      },
    },
    packageStep('package-archive'),
  ],
};

/** themes (legacy 6 steps), built from the theme row forms-service holds. */
const THEMES: ExportStrategy = {
  type: 'themes',
  steps: [
    {
      name: 'validate-theme-data',
      retryable: true,
      async run(context) {
        const themeId = metadataId(context.tool, 'themeId');
        if (!themeId) throw new PermanentStepError('The tool manifest has no toolMetadata.themeId');
        const theme = await context.forms.themeSource(themeId);
        if (!theme.isActive) throw new PermanentStepError(`Theme ${theme.id} is not active`);
        context.state.theme = theme;
      },
    },
    {
      name: 'generate-theme-package',
      async run(context) {
        await context.write(
          'package.json',
          json({ name: context.tool.toolId, version: context.tool.version, main: 'index.js', files: ['index.js', 'theme.json', 'assets'] }),
        );
      },
    },
    {
      name: 'copy-theme-assets',
      async run(context) {
        context.state.assets = await writeTheme(context, themeSource(context), '.');
      },
    },
    {
      name: 'generate-theme-documentation',
      async run(context) {
        const theme = themeSource(context);
        await context.write(
          'README.md',
          `# ${theme.name}\n\n${theme.description ?? ''}\n\nAssets: ${(context.state.assets as string[]).length}\n`,
        );
      },
    },
    {
      name: 'generate-theme-npm-structure',
      async run(context) {
        await context.write('index.js', "module.exports = require('./theme.json');\n");
      },
    },
    packageStep('package-theme-archive'),
  ],
};

/** workflows (legacy 7 steps): web holds the only data there is, the manifest. */
const WORKFLOWS: ExportStrategy = {
  type: 'workflows',
  steps: [
    {
      name: 'validate-workflow-data',
      async run(context) {
        if (!metadataId(context.tool, 'workflowId')) throw new PermanentStepError('The tool manifest has no toolMetadata.workflowId');
      },
    },
    {
      name: 'generate-workflow-boilerplate',
      async run(context) {
        await context.write('package.json', json({ name: context.tool.toolId, version: context.tool.version, private: true }));
      },
    },
    {
      name: 'copy-workflow-definitions',
      async run(context) {
        await context.write('workflow/manifest.json', json(context.tool.manifestJson));
      },
    },
    {
      name: 'generate-workflow-schema',
      async run(context) {
        await context.write(
          'workflow/schema.json',
          json({ workflowId: metadataId(context.tool, 'workflowId'), tool: context.tool.toolId }),
        );
      },
    },
    {
      name: 'generate-workflow-docker-config',
      async run(context) {
        await context.write('Dockerfile', 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\n');
      },
    },
    {
      name: 'generate-workflow-readme',
      async run(context) {
        await context.write('README.md', `# ${context.tool.name}\n`);
      },
    },
    packageStep('package-workflow-archive'),
  ],
};

export const STRATEGIES: Record<ToolType, ExportStrategy> = { forms: FORMS, themes: THEMES, workflows: WORKFLOWS };
