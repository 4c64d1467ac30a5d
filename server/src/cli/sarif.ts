import type * as Sarif from 'sarif';
import type { Range } from '../core/text';
import type { Finding, RuleMeta, Severity } from '../core/types';
import { resourceName } from '../core/types';

const LEVELS: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export interface SarifInput {
  rules: readonly RuleMeta[];
  findings: readonly Finding[];
  /** Absolute root the paths are relative to, as a file URI ending in '/'. */
  rootUri: string;
  relativePath(uri: string): string;
  version: string;
}

function region(range: Range): Sarif.Region {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function location(uri: string, range: Range, input: SarifInput): Sarif.PhysicalLocation {
  return { artifactLocation: { uri: input.relativePath(uri), uriBaseId: 'ROOT' }, region: region(range) };
}

/** SARIF 2.1.0, with rule descriptors from the registry and each finding's resource as a logical location. */
export function toSarif(input: SarifInput): Sarif.Log {
  const ruleIndex = new Map(input.rules.map((rule, index) => [rule.id, index]));
  const equivalents = new Map(input.rules.map((rule) => [rule.id, rule.equivalents]));
  const results: Sarif.Result[] = input.findings.map((finding) => {
    const result: Sarif.Result = {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: LEVELS[finding.severity],
      message: { text: finding.message },
      // Per result too, so each finding can be matched one for one with istioctl/Kiali output.
      properties: { equivalents: { ...equivalents.get(finding.ruleId) } },
      locations: [
        {
          physicalLocation: location(finding.uri, finding.range, input),
          ...(finding.resource ? { logicalLocations: [{ kind: 'resource', fullyQualifiedName: resourceName(finding.resource) }] } : {}),
        },
      ],
    };
    if (finding.related.length > 0) {
      result.relatedLocations = finding.related.map((related, id) => ({ id, physicalLocation: location(related.uri, related.range, input), message: { text: related.message } }));
    }
    if (finding.fixes.length > 0) {
      result.fixes = finding.fixes.map((fix) => ({
        description: { text: fix.title },
        artifactChanges: fix.changes.map((change) => ({
          artifactLocation: { uri: input.relativePath(change.uri), uriBaseId: 'ROOT' },
          replacements: change.edits.map((edit) => ({
            deletedRegion: region(edit.range),
            insertedContent: { text: edit.newText },
          })),
        })),
      }));
    }
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshlens',
            version: input.version,
            rules: input.rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.title },
              help: { text: rule.docs, markdown: rule.docs },
              defaultConfiguration: { level: LEVELS[rule.defaultSeverity] },
              properties: { category: rule.category, input: rule.input, equivalents: { ...rule.equivalents } },
            })),
          },
        },
        originalUriBaseIds: { ROOT: { uri: input.rootUri } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
