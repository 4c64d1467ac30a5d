/**
 * Structural validation of Istio objects against the CRD OpenAPI schemas, as compiled by
 * @kubernetes-models/istio (ajv validators generated from Istio's CRDs, all errors per object).
 * The package is ESM-only, so it is loaded once, asynchronously, before the first analysis.
 */

export interface SchemaError {
  /** JSON pointer segments into the object (`['spec', 'http', '0', 'timeout']`). */
  path: string[];
  keyword: string;
  message: string;
}

type Validate = (data: unknown) => SchemaError[];

interface AjvError {
  instancePath: string;
  keyword: string;
  params?: { allowedValues?: unknown[]; missingProperty?: string; type?: string };
  message?: string;
}

/** The part of a @kubernetes-models class this module uses. */
interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

const validators = new Map<string, Validate>();

function describe(error: AjvError): string {
  if (error.keyword === 'enum' && error.params?.allowedValues) return `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'required' && error.params?.missingProperty) return `missing required field "${error.params.missingProperty}"`;
  if (error.keyword === 'type' && error.params?.type) return `must be ${error.params.type === 'integer' ? 'an integer' : `a${/^[aeiou]/.test(error.params.type) ? 'n' : ''} ${error.params.type}`}`;
  return error.message ?? error.keyword;
}

function validatorFor(model: ModelClass): Validate {
  return (data) => {
    try {
      new model(data).validate();
      return [];
    } catch (thrown) {
      const errors = (thrown as { errors?: AjvError[] }).errors;
      if (!Array.isArray(errors)) throw thrown;
      return errors.map((error) => ({
        path: error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')),
        keyword: error.keyword,
        message: describe(error),
      }));
    }
  };
}

function register(module: Record<string, unknown>): void {
  for (const value of Object.values(module)) {
    if (typeof value !== 'function') continue;
    const model = value as unknown as ModelClass;
    if (typeof model.apiVersion === 'string' && typeof model.kind === 'string') validators.set(`${model.apiVersion}/${model.kind}`, validatorFor(model));
  }
}

let loading: Promise<void> | undefined;

/** Loads the validators of the Istio kinds meshlens analyzes; safe to call more than once. */
export function loadSchemaValidators(): Promise<void> {
  loading ??= Promise.all([
    import('@kubernetes-models/istio/networking.istio.io/v1'),
    import('@kubernetes-models/istio/networking.istio.io/v1beta1'),
    import('@kubernetes-models/istio/networking.istio.io/v1alpha3'),
    import('@kubernetes-models/istio/security.istio.io/v1'),
    import('@kubernetes-models/istio/security.istio.io/v1beta1'),
  ]).then((modules) => modules.forEach((module) => register(module as Record<string, unknown>)));
  return loading;
}

/** Validates an object of the given apiVersion and kind; undefined when no schema is known for it. */
export function validateAgainstSchema(apiVersion: string, kind: string, data: unknown): SchemaError[] | undefined {
  return validators.get(`${apiVersion}/${kind}`)?.(data);
}
