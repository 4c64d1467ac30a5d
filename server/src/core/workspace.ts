import { fqdn } from './mesh/hosts';
import { goModuleKey, type GoModuleFacts, type GoModuleIndex } from './go/modules';
import type { Manifest, ManifestFile } from './yaml/manifest';
import { nodeAt, scalarText } from './yaml/manifest';

/**
 * Every Kubernetes/Istio object of the workspace, whatever file it lives in, queryable by
 * kind, namespace, name and host. Kept current file by file.
 */
export class ManifestIndex {
  private readonly files = new Map<string, ManifestFile>();
  private lookups: Lookups | undefined;

  setFile(file: ManifestFile): void {
    this.files.set(file.uri, file);
    this.lookups = undefined;
  }

  removeFile(uri: string): void {
    if (this.files.delete(uri)) this.lookups = undefined;
  }

  file(uri: string): ManifestFile | undefined {
    return this.files.get(uri);
  }

  /** Rebuilt on the first query after a change: one pass over the objects, not one per query. */
  private get index(): Lookups {
    if (!this.lookups) {
      const lookups: Lookups = { byKind: new Map(), byName: new Map(), destinationRulesByHost: new Map() };
      const add = (map: Map<string, Manifest[]>, key: string, manifest: Manifest) => {
        const list = map.get(key);
        if (list) list.push(manifest);
        else map.set(key, [manifest]);
      };
      for (const file of this.files.values()) {
        for (const manifest of file.manifests) {
          add(lookups.byKind, manifest.kind, manifest);
          add(lookups.byName, nameKey(manifest.kind, namespaceOf(manifest), manifest.name), manifest);
          const host = destinationRuleHost(manifest);
          if (host) add(lookups.destinationRulesByHost, host, manifest);
        }
      }
      this.lookups = lookups;
    }
    return this.lookups;
  }

  ofKind(kind: string): readonly Manifest[] {
    return this.index.byKind.get(kind) ?? [];
  }

  named(kind: string, namespace: string, name: string): readonly Manifest[] {
    return this.index.byName.get(nameKey(kind, namespace, name)) ?? [];
  }

  destinationRulesFor(host: string): readonly Manifest[] {
    return this.index.destinationRulesByHost.get(host) ?? [];
  }
}

interface Lookups {
  byKind: Map<string, Manifest[]>;
  byName: Map<string, Manifest[]>;
  destinationRulesByHost: Map<string, Manifest[]>;
}

/** The FQDN a DestinationRule applies to, or undefined for any other object. */
function destinationRuleHost(manifest: Manifest): string | undefined {
  if (manifest.kind !== 'DestinationRule') return undefined;
  const host = scalarText(nodeAt(manifest.root, 'spec', 'host'));
  return host === undefined ? undefined : fqdn(host, namespaceOf(manifest));
}

/**
 * Names a slice of the workspace a rule read, so that a change there re-runs the rule: all
 * objects of a kind, one object by name, or the DestinationRules of one host. Fine-grained keys
 * keep an edit from re-checking files that never looked at what changed.
 */
export function kindKey(kind: string): string {
  return `kind:${kind}`;
}

function nameKey(kind: string, namespace: string, name: string): string {
  return `name:${kind}/${namespace}/${name}`;
}

function destinationRuleHostKey(host: string): string {
  return `dr-host:${host}`;
}

export function dependencyKeysOf(file: ManifestFile | undefined): string[] {
  return keysOf(file?.manifests ?? []);
}

function keysOf(manifests: readonly Manifest[]): string[] {
  const keys = new Set<string>();
  for (const manifest of manifests) {
    keys.add(kindKey(manifest.kind));
    keys.add(nameKey(manifest.kind, namespaceOf(manifest), manifest.name));
    const host = destinationRuleHost(manifest);
    if (host) keys.add(destinationRuleHostKey(host));
  }
  return [...keys];
}

function sourceText(manifest: Manifest): string {
  const range = manifest.root.range;
  return range ? manifest.file.lines.text.slice(range[0], range[1]) : '';
}

/**
 * Keys of the objects an edit really changed: those whose text differs between the two versions
 * of the file, plus those added or removed. Typing in one document of a multi-document file
 * must not re-check every file that reads the other documents.
 */
export function changedDependencyKeys(previous: ManifestFile | undefined, next: ManifestFile | undefined): string[] {
  const before = new Set((previous?.manifests ?? []).map(sourceText));
  const after = new Set((next?.manifests ?? []).map(sourceText));
  const changed = [
    ...(previous?.manifests ?? []).filter((manifest) => !after.has(sourceText(manifest))),
    ...(next?.manifests ?? []).filter((manifest) => !before.has(sourceText(manifest))),
  ];
  return keysOf(changed);
}

/** The namespace a resource lives in: the one it sets, else `default` as kubectl would apply it. */
export function namespaceOf(manifest: Manifest): string {
  return manifest.namespace ?? 'default';
}

/**
 * The read side of the workspace index handed to rules. Every query records what it read, so
 * the analyzer knows which files to re-check when another file changes.
 */
export class WorkspaceView {
  readonly dependencies = new Set<string>();

  constructor(
    private readonly manifests: ManifestIndex,
    private readonly goModules?: GoModuleIndex,
  ) {}

  /** Facts of the Go module a file belongs to (does it set a TracerProvider, a propagator?). */
  goModule(uri: string): GoModuleFacts {
    const facts = this.goModules?.factsFor(uri) ?? { module: '', setsUpTracing: false, setsPropagator: false };
    this.dependencies.add(goModuleKey(facts.module));
    return facts;
  }

  ofKind(kind: string): readonly Manifest[] {
    this.dependencies.add(kindKey(kind));
    return this.manifests.ofKind(kind);
  }

  find(kind: string, namespace: string, name: string): Manifest | undefined {
    this.dependencies.add(nameKey(kind, namespace, name));
    return this.manifests.named(kind, namespace, name)[0];
  }

  /** DestinationRules whose spec.host resolves to the given FQDN. */
  destinationRulesFor(host: string): Manifest[] {
    this.dependencies.add(destinationRuleHostKey(host));
    return [...this.manifests.destinationRulesFor(host)];
  }
}
