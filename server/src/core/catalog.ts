import type { RuleMeta } from './types';

const INPUT_NAMES = { yaml: 'Kubernetes/Istio YAML', go: 'Go', ts: 'TypeScript/JavaScript' } as const;

function equivalentsText(rule: RuleMeta): string {
  const entries = Object.entries(rule.equivalents);
  return entries.length === 0 ? '—' : entries.map(([tool, code]) => `${tool} ${code}`).join(', ');
}

/** The rule table shown in the README and by `meshlens rules --format markdown`. */
export function catalogMarkdown(rules: readonly RuleMeta[]): string {
  const rows = rules.map((rule) => `| \`${rule.id}\` | ${INPUT_NAMES[rule.input]} | ${rule.title} | ${rule.defaultSeverity} | ${equivalentsText(rule)} |`);
  return ['| Rule | Input | What it finds | Default | Equivalent |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export interface CatalogEntry {
  id: string;
  title: string;
  category: string;
  input: string;
  defaultSeverity: string;
  equivalents: Record<string, string>;
  docs: string;
}

export function catalogJson(rules: readonly RuleMeta[]): CatalogEntry[] {
  return rules.map((rule) => ({
    id: rule.id,
    title: rule.title,
    category: rule.category,
    input: rule.input,
    defaultSeverity: rule.defaultSeverity,
    equivalents: { ...rule.equivalents },
    docs: rule.docs,
  }));
}

/** The `meshlens.rules.<id>` settings contributed in package.json. */
export function ruleSettings(rules: readonly RuleMeta[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const rule of rules) {
    settings[`meshlens.rules.${rule.id}`] = {
      type: 'string',
      enum: ['default', 'error', 'warning', 'info', 'hint', 'off'],
      default: 'default',
      scope: 'resource',
      markdownDescription: `${rule.title}. Default severity: \`${rule.defaultSeverity}\`.${Object.keys(rule.equivalents).length ? ` Same as ${equivalentsText(rule)}.` : ''}`,
    };
  }
  return settings;
}
