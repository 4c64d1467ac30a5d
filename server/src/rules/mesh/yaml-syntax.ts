import type { YamlFileRule } from '../../core/rule';

export const yamlSyntax: YamlFileRule = {
  id: 'yaml-syntax',
  title: 'Manifest is not valid YAML',
  category: 'mesh',
  input: 'yaml',
  scope: 'file',
  defaultSeverity: 'error',
  equivalents: {},
  docs: `## What it does
Reports YAML syntax errors (bad indentation, duplicate keys, unclosed quotes) in files that look like
Kubernetes manifests (they have \`apiVersion:\` or \`kind:\` at the start of a line). Other YAML
files are left to other tools.

## Why is this bad
\`kubectl apply\` rejects the whole file, and every other check on it is blind until it parses.

## Fix
None: the message says what the parser expected, at the exact place.`,
  check(context) {
    if (!context.file.looksLikeKubernetes) return;
    for (const problem of context.file.syntaxProblems) {
      context.report({ range: problem.range, message: `YAML syntax error: ${problem.message}` });
    }
  },
};
