import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';

/**
 * k8s/monitoring: the plain rules file is the source of truth, the PrometheusRule carries the same
 * groups, promtool's unit tests pass, and every dashboard query is valid PromQL. Whether the
 * metrics exist in the services and the alerts fire for real: apps/platform-e2e/src/alerts.spec.ts.
 */
const dir = join(__dirname, '..', '..', '..', 'k8s', 'monitoring');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path));
const read = (file: string) => readFileSync(join(dir, file), 'utf8');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}

const rules = parse(read('nafs-alerts.rules.yml')) as { groups: { name: string; rules: Rule[] }[] };
const dashboard = JSON.parse(read('nafs-dashboard.json')) as { panels: { title: string; targets: { expr: string }[] }[] };

const promtool = (...args: string[]) => execFileSync(PROMTOOL as string, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

describe('alert rules and dashboard (k8s/monitoring)', () => {
  it('has one alert per threshold of the plan', () => {
    expect(rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert))).toEqual([
      'NafsDbPoolSaturated',
      'NafsIdentityRpcLatencyHigh',
      'NafsIdentityCacheMissRatioHigh',
      'NafsForeignKeyValidationFailures',
      'NafsEventConsumerLag',
      'NafsOutboxBacklog',
    ]);
  });

  it('the PrometheusRule for the operator carries exactly the groups of the plain rules file', () => {
    const resource = parse(read('prometheus-rule.yaml')) as { kind: string; spec: unknown };
    expect(resource.kind).toBe('PrometheusRule');
    expect(resource.spec).toEqual({ groups: rules.groups });
  });

  it('every dashboard panel queries something', () => {
    for (const panel of dashboard.panels)
      expect({ panel: panel.title, targets: panel.targets.filter((t) => t.expr.trim()).length }).toEqual({
        panel: panel.title,
        targets: expect.any(Number),
      });
    expect(dashboard.panels.every((panel) => panel.targets.length > 0)).toBe(true);
  });

  if (!PROMTOOL) {
    it.skip('promtool is not installed (apt-get install prometheus): rule syntax and unit tests not run', () => undefined);
    return;
  }

  it('passes promtool check rules and the promtool unit tests of the rule logic', () => {
    expect(promtool('check', 'rules', 'nafs-alerts.rules.yml')).toContain('SUCCESS: 6 rules found');
    expect(promtool('test', 'rules', 'nafs-alerts.rules.test.yml')).toContain('SUCCESS');
  });

  it('the promtool unit tests can fail: a threshold moved past the test data is caught', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'nafs-rules-'));
    try {
      const loosened = {
        groups: rules.groups.map((group) => ({
          ...group,
          rules: group.rules.map((rule) =>
            rule.alert === 'NafsDbPoolSaturated' ? { ...rule, expr: rule.expr.replace('> 0.9', '> 1') } : rule,
          ),
        })),
      };
      writeFileSync(join(scratch, 'nafs-alerts.rules.yml'), stringify(loosened));
      writeFileSync(join(scratch, 'nafs-alerts.rules.test.yml'), read('nafs-alerts.rules.test.yml'));
      expect(() => execFileSync(PROMTOOL, ['test', 'rules', 'nafs-alerts.rules.test.yml'], { cwd: scratch, stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('every dashboard query is valid PromQL (checked by promtool as recording rules)', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'nafs-dashboard-'));
    try {
      const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr.replace(/\$service/g, '.*')));
      const asRules = { groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
      writeFileSync(join(scratch, 'dashboard.rules.yml'), stringify(asRules));
      expect(
        execFileSync(PROMTOOL, ['check', 'rules', 'dashboard.rules.yml'], { cwd: scratch, encoding: 'utf8', stdio: 'pipe' }),
      ).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
