import { fqdn } from './mesh/hosts';
import type { Manifest, ManifestFile } from './yaml/manifest';
import { nodeAt, scalarText } from './yaml/manifest';

/**
 * Every Kubernetes/Istio object of the workspace, whatever file it lives in, queryable by
 * kind, namespace, name and host. Kept current file by file.
 */
export class ManifestIndex {
  private readonly files = new Map<string, ManifestFile>();
  private byKind: Map<string, Manifest[]> | undefined;

  setFile(file: ManifestFile): void {
    this.files.set(file.uri, file);
    this.byKind = undefined;
  }

  removeFile(uri: string): void {
    if (this.files.delete(uri)) this.byKind = undefined;
  }

  file(uri: string): ManifestFile | undefined {
    return this.files.get(uri);
  }

  ofKind(kind: string): readonly Manifest[] {
    if (!this.byKind) {
      const byKind = new Map<string, Manifest[]>();
      for (const file of this.files.values()) {
        for (const manifest of file.manifests) {
          const list = byKind.get(manifest.kind) ?? [];
          list.push(manifest);
          byKind.set(manifest.kind, list);
        }
      }
      this.byKind = byKind;
    }
    return this.byKind.get(kind) ?? [];
  }
}

/** Names a slice of the workspace a rule read, so that a change there re-runs the rule. */
export function kindKey(kind: string): string {
  return `kind:${kind}`;
}

export function dependencyKeysOf(file: ManifestFile | undefined): string[] {
  return file ? [...new Set(file.manifests.map((manifest) => kindKey(manifest.kind)))] : [];
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

  constructor(private readonly manifests: ManifestIndex) {}

  ofKind(kind: string): readonly Manifest[] {
    this.dependencies.add(kindKey(kind));
    return this.manifests.ofKind(kind);
  }

  find(kind: string, namespace: string, name: string): Manifest | undefined {
    return this.ofKind(kind).find((m) => m.name === name && namespaceOf(m) === namespace);
  }

  /** DestinationRules whose spec.host resolves to the given FQDN. */
  destinationRulesFor(host: string): Manifest[] {
    return this.ofKind('DestinationRule').filter((dr) => {
      const drHost = scalarText(nodeAt(dr.root, 'spec', 'host'));
      return drHost !== undefined && fqdn(drHost, namespaceOf(dr)) === host;
    });
  }
}
