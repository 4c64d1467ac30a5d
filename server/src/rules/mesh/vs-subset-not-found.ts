import { serviceOfHost } from '../../core/mesh/hosts';
import { subsetNames, virtualServiceRoutes, type RouteDestination } from '../../core/mesh/virtualservice';
import { guessSubsetLabels } from '../../core/mesh/workloads';
import type { ManifestRule, ManifestRuleContext } from '../../core/rule';
import { resourceName, type Fix } from '../../core/types';
import { appendMapEntry, appendSequenceItem, yamlScalar } from '../../core/yaml/edit';
import { nodeAt, nodeRange, type Manifest } from '../../core/yaml/manifest';

export const vsSubsetNotFound: ManifestRule = {
  id: 'vs-subset-not-found',
  title: 'VirtualService routes to a subset no DestinationRule defines',
  category: 'mesh',
  input: 'yaml',
  kinds: ['VirtualService'],
  defaultSeverity: 'error',
  equivalents: { istio: 'IST0101', kiali: 'KIA1107' },
  docs: `## What it does
Checks every \`route\`, \`mirror\` and \`mirrors\` destination of a VirtualService that names a
\`subset\`, and looks for a DestinationRule anywhere in the workspace (any file, any document)
whose \`host\` resolves to the same service and that defines the subset.

## Why is this bad
Envoy has no cluster for an undefined subset: requests routed there fail with 503 \`NR\`/\`NC\`
(no route / no cluster) while the YAML looks fine. istioctl reports it as IST0101.

## Example
\`\`\`yaml
route:
- destination:
    host: inventory
    subset: v3   # the DestinationRule for inventory only has v1 and v2
\`\`\`

## Fix
Adds the subset to the DestinationRule of that host, with labels read off the workloads behind the
Service when one label fits (\`version: v3\`), or creates the DestinationRule when there is none.
Review the labels: they must select the pods meant to receive the traffic.

Suppress with \`# meshlens-disable-next-line vs-subset-not-found reason\` above the line, or the
annotation \`galley.istio.io/analyze-suppress: IST0101\`.`,
  check(context) {
    for (const route of virtualServiceRoutes(context.manifest)) {
      for (const destination of [...route.destinations, ...route.mirrors]) {
        checkDestination(context, destination);
      }
    }
  },
};

function checkDestination(context: ManifestRuleContext, destination: RouteDestination): void {
  const { subset, fqdn: host } = destination;
  if (!subset || !host || !destination.host) return;
  const rules = context.workspace.destinationRulesFor(host);
  if (rules.some((rule) => subsetNames(rule).includes(subset))) return;
  const range = nodeRange(context.manifest.file, destination.node.get('subset', true));
  if (!range) return;
  const labels = guessSubsetLabels(context.workspace, host, subset);
  const fix = rules.length === 1 ? addSubsetFix(rules[0], subset, labels) : rules.length === 0 ? createRuleFix(context.manifest, host, subset, labels) : undefined;
  const where = rules.length === 0 ? 'no DestinationRule for this host exists in the workspace' : `defined subsets: ${rules.map((r) => `${resourceName(r.ref)} [${subsetNames(r).join(', ')}]`).join('; ')}`;
  context.report({
    range,
    message: `Referenced host+subset in destinationrule not found: "${destination.host}+${subset}" (${where})`,
    fixes: fix ? [fix] : [],
    related: rules.flatMap((rule) => {
      const hostRange = nodeRange(rule.file, nodeAt(rule.root, 'spec', 'host'));
      return hostRange ? [{ uri: rule.file.uri, range: hostRange, message: `${resourceName(rule.ref)} has no subset "${subset}"` }] : [];
    }),
  });
}

function labelLines(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => `  ${yamlScalar(key)}: ${yamlScalar(value)}`);
}

function addSubsetFix(rule: Manifest, subset: string, labels: Record<string, string> | undefined): Fix | undefined {
  const chosen = labels ?? { version: subset };
  const item = [`name: ${yamlScalar(subset)}`, 'labels:', ...labelLines(chosen)];
  const subsets = nodeAt(rule.root, 'spec', 'subsets');
  const edit = subsets ? appendSequenceItem(rule.file, subsets, item) : appendMapEntry(rule.file, nodeAt(rule.root, 'spec'), 'subsets', [`- ${item[0]}`, ...item.slice(1).map((l) => `  ${l}`)]);
  if (!edit) return undefined;
  return {
    title: `Add subset "${subset}" (${Object.entries(chosen).map(([k, v]) => `${k}=${v}`).join(', ')}) to ${resourceName(rule.ref)}`,
    changes: [{ uri: rule.file.uri, edits: [edit] }],
    safe: labels !== undefined,
  };
}

function createRuleFix(virtualService: Manifest, host: string, subset: string, labels: Record<string, string> | undefined): Fix {
  const chosen = labels ?? { version: subset };
  const service = serviceOfHost(host);
  const name = service?.name ?? host.replace(/[^a-z0-9-]/g, '-');
  const namespace = virtualService.namespace ?? service?.namespace;
  const file = virtualService.file;
  const end = file.lines.positionAt(file.lines.text.length);
  const eol = file.lines.text.includes('\r\n') ? '\r\n' : '\n';
  const lead = file.lines.text.endsWith('\n') || file.lines.text.length === 0 ? '' : eol;
  const lines = [
    '---',
    `apiVersion: ${virtualService.apiVersion}`,
    'kind: DestinationRule',
    'metadata:',
    `  name: ${yamlScalar(name)}`,
    ...(namespace ? [`  namespace: ${yamlScalar(namespace)}`] : []),
    'spec:',
    `  host: ${yamlScalar(host)}`,
    '  subsets:',
    `  - name: ${yamlScalar(subset)}`,
    '    labels:',
    ...labelLines(chosen).map((line) => `    ${line}`),
  ];
  return {
    title: `Create DestinationRule ${namespace ? `${namespace}/` : ''}${name} with subset "${subset}"`,
    changes: [{ uri: file.uri, edits: [{ range: { start: end, end }, newText: lead + lines.join(eol) + eol }] }],
    safe: false,
  };
}
