import { Document, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node, type Pair, type YAMLMap } from 'yaml';
import { LineIndex, type Range } from '../text';
import type { ResourceRef } from '../types';

export type YamlNode = Node;

export interface SyntaxProblem {
  message: string;
  range: Range;
}

/** One Kubernetes or Istio object in a (possibly multi-document) YAML file. */
export interface Manifest {
  file: ManifestFile;
  documentIndex: number;
  root: YAMLMap;
  apiVersion: string;
  kind: string;
  name: string;
  /** As written; undefined when the YAML sets no metadata.namespace. */
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ref: ResourceRef;
}

export interface ManifestFile {
  uri: string;
  lines: LineIndex;
  documents: Document.Parsed[];
  manifests: Manifest[];
  syntaxProblems: SyntaxProblem[];
  /** True when the text reads like Kubernetes YAML (so syntax errors are worth reporting). */
  looksLikeKubernetes: boolean;
}

const KUBERNETES_HINT = /^\s*(apiVersion|kind)\s*:/m;

export function parseManifestFile(uri: string, text: string): ManifestFile {
  const lines = new LineIndex(text);
  const file: ManifestFile = {
    uri,
    lines,
    documents: [],
    manifests: [],
    syntaxProblems: [],
    looksLikeKubernetes: KUBERNETES_HINT.test(text),
  };
  const parsed = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: false });
  const documents = Array.isArray(parsed) ? parsed : [];
  file.documents = documents;
  documents.forEach((doc, documentIndex) => {
    // Later errors of a document mostly follow from the first: report that one.
    for (const error of doc.errors.slice(0, 1)) {
      file.syntaxProblems.push({ message: error.message.split('\n')[0], range: lines.rangeOf(error.pos[0], error.pos[1]) });
    }
    const root = doc.contents;
    if (!isMap(root)) return;
    const apiVersion = scalarText(root.get('apiVersion', true));
    const kind = scalarText(root.get('kind', true));
    if (!apiVersion || !kind) return;
    const metadata = mapAt(root, 'metadata');
    const name = scalarText(metadata?.get('name', true)) ?? '';
    const namespace = scalarText(metadata?.get('namespace', true)) || undefined;
    file.manifests.push({
      file,
      documentIndex,
      root,
      apiVersion,
      kind,
      name,
      namespace,
      labels: stringMap(mapAt(metadata, 'labels')),
      annotations: stringMap(mapAt(metadata, 'annotations')),
      ref: { kind, name, namespace },
    });
  });
  return file;
}

/** Follows one alias hop; never expands aliases recursively, so alias bombs stay cheap. */
export function deref(node: unknown, doc?: Document): unknown {
  if (isAlias(node)) return doc ? node.resolve(doc) : undefined;
  return node;
}

export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : String(value);
}

export function scalarNumber(node: unknown): number | undefined {
  if (!isScalar(node)) return undefined;
  return typeof node.value === 'number' ? node.value : undefined;
}

export function mapAt(node: unknown, key: string): YAMLMap | undefined {
  if (!isMap(node)) return undefined;
  const value = node.get(key, true);
  return isMap(value) ? value : undefined;
}

/** Walks a path of map keys and sequence indexes; undefined when any step is missing. */
export function nodeAt(node: unknown, ...path: (string | number)[]): YamlNode | undefined {
  let current: unknown = node;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!isSeq(current)) return undefined;
      current = current.items[step];
    } else {
      if (!isMap(current)) return undefined;
      current = current.get(step, true);
    }
  }
  return current === undefined || current === null ? undefined : (current as YamlNode);
}

export function seqItems(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

export function pairFor(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((item) => isPair(item) && scalarText(item.key) === key) as Pair | undefined;
}

export function stringMap(map: YAMLMap | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!map) return result;
  for (const item of map.items) {
    const key = scalarText(item.key);
    const value = scalarText(item.value);
    if (key !== undefined && value !== undefined) result[key] = value;
  }
  return result;
}

/** Range of a node's value (without trailing comments or whitespace). */
export function nodeRange(file: ManifestFile, node: unknown): Range | undefined {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  return file.lines.rangeOf(range[0], range[1]);
}

/** Range of a map key, falling back to the map itself: used to point at "the field". */
export function keyRange(file: ManifestFile, map: unknown, key: string): Range | undefined {
  const pair = pairFor(map, key);
  return pair ? nodeRange(file, pair.key) : nodeRange(file, map);
}

export function manifestRange(manifest: Manifest): Range {
  return (
    keyRange(manifest.file, manifest.root, 'kind') ??
    nodeRange(manifest.file, manifest.root) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }
  );
}
