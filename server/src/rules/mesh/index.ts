import type { Rule } from '../../core/rule';
import { istioSchema } from './istio-schema';
import { vsInvalid } from './vs-invalid';
import { vsUnreachableRule } from './vs-unreachable-rule';
import { vsGatewayNotFound } from './vs-gateway-not-found';
import { vsLegacyGatewayName } from './vs-legacy-gateway-name';
import { vsHostNotInGateway } from './vs-host-not-in-gateway';
import { vsDestinationPortRequired } from './vs-destination-port-required';
import { vsLoneDestinationWeight } from './vs-lone-destination-weight';
import { vsDuplicateDestination } from './vs-duplicate-destination';
import { vsRetriesExceedTimeout } from './vs-retries-exceed-timeout';
import { drSubsetWithoutLabels } from './dr-subset-without-labels';
import { drDuplicateHost } from './dr-duplicate-host';
import { drOutlierEjectsAll } from './dr-outlier-ejects-all';
import { drConnectionPoolTooLow } from './dr-connection-pool-too-low';
import { drMtlsConflict } from './dr-mtls-conflict';
import { servicePortName } from './service-port-name';
import { servicePortNotExposed } from './service-port-not-exposed';
import { probeOnSidecarPort } from './probe-on-sidecar-port';
import { workloadUid1337 } from './workload-uid-1337';
import { seAddressesRequired } from './se-addresses-required';
import { sidecarMultipleWithoutSelector } from './sidecar-multiple-without-selector';
import { envoyfilterLuaLiteralSecret } from './envoyfilter-lua-literal-secret';
import { vsSubsetNotFound } from './vs-subset-not-found';
import { vsWeightsNot100 } from './vs-weights-not-100';
import { yamlSyntax } from './yaml-syntax';
import { vsHostNotFound } from './vs-host-not-found';
import { sidecarEgressHostNotFound } from './sidecar-egress-host-not-found';
import { drHostNotFound } from './dr-host-not-found';
import { vsConflictingMeshHost } from './vs-conflicting-mesh-host';
import { drTlsWithoutCa } from './dr-tls-without-ca';
import { drPortTlsWithoutCa } from './dr-port-tls-without-ca';
import { drSubsetSelectsNoPods } from './dr-subset-selects-no-pods';
import { selectorMatchesNoWorkload } from './selector-matches-no-workload';
import { deploymentMultipleServices } from './deployment-multiple-services';
import { deploymentConflictingPorts } from './deployment-conflicting-ports';
import { seDuplicateHostPort } from './se-duplicate-host-port';
import { seConflictingProtocol } from './se-conflicting-protocol';
import { gatewayConflict } from './gateway-conflict';
import { gatewayDuplicateCertificate } from './gateway-duplicate-certificate';
import { vsDeprecatedField } from './vs-deprecated-field';
import { annotationMisplaced } from './annotation-misplaced';
import { annotationUnknown } from './annotation-unknown';
import { envoyfilterRelativeWithoutPriority } from './envoyfilter-relative-without-priority';
import { envoyfilterReplaceMisuse } from './envoyfilter-replace-misuse';
import { envoyfilterAddIgnored } from './envoyfilter-add-ignored';
import { envoyfilterRemoveIgnored } from './envoyfilter-remove-ignored';
import { externalnamePortName } from './externalname-port-name';
import { drMutualTlsToPlaintext } from './dr-mutual-tls-to-plaintext';
import { drTlsDisabledStrictWorkload } from './dr-tls-disabled-strict-workload';

/** Kubernetes and Istio manifest rules. */
export const MESH_RULES: readonly Rule[] = [
  yamlSyntax,
  istioSchema,
  vsSubsetNotFound,
  vsWeightsNot100,
  vsInvalid,
  vsUnreachableRule,
  vsGatewayNotFound,
  vsLegacyGatewayName,
  vsHostNotInGateway,
  vsDestinationPortRequired,
  vsLoneDestinationWeight,
  vsDuplicateDestination,
  vsRetriesExceedTimeout,
  drSubsetWithoutLabels,
  drDuplicateHost,
  drOutlierEjectsAll,
  drConnectionPoolTooLow,
  drMtlsConflict,
  servicePortName,
  servicePortNotExposed,
  probeOnSidecarPort,
  workloadUid1337,
  seAddressesRequired,
  sidecarMultipleWithoutSelector,
  envoyfilterLuaLiteralSecret,
  vsHostNotFound,
  sidecarEgressHostNotFound,
  drHostNotFound,
  vsConflictingMeshHost,
  drTlsWithoutCa,
  drPortTlsWithoutCa,
  drSubsetSelectsNoPods,
  selectorMatchesNoWorkload,
  deploymentMultipleServices,
  deploymentConflictingPorts,
  seDuplicateHostPort,
  seConflictingProtocol,
  gatewayConflict,
  gatewayDuplicateCertificate,
  vsDeprecatedField,
  annotationMisplaced,
  annotationUnknown,
  envoyfilterRelativeWithoutPriority,
  envoyfilterReplaceMisuse,
  envoyfilterAddIgnored,
  envoyfilterRemoveIgnored,
  externalnamePortName,
  drMutualTlsToPlaintext,
  drTlsDisabledStrictWorkload,
];
