import type { Rule } from '../../core/rule';
import { goContextBackgroundInScope } from './context-background-in-scope';
import { goGinWithoutOtelgin } from './gin-without-otelgin';
import { goGoroutineRequestContext } from './goroutine-request-context';
import { goGormWithoutContext } from './gorm-without-context';
import { goGrpcWithoutStatsHandler } from './grpc-without-stats-handler';
import { goHttpClientWithoutOtelhttp } from './http-client-without-otelhttp';
import { goHttpServerWithoutOtelhttp } from './http-server-without-otelhttp';
import { goKafkaWithoutPropagation } from './kafka-without-propagation';
import { goLogWithoutContext } from './log-without-context';
import { goNoGlobalPropagator } from './no-global-propagator';
import { goOtelgrpcInterceptorRemoved } from './otelgrpc-interceptor-removed';
import { goRequestWithoutContext } from './request-without-context';
import { goResponseBodyNotClosed } from './response-body-not-closed';
import { goSpanFromContextEnded } from './span-from-context-ended';
import { goSpanNotEnded } from './span-not-ended';
import { goSpanStartInLoop } from './span-start-in-loop';

/** Go context-propagation rules. */
export const GO_RULES: readonly Rule[] = [
  goRequestWithoutContext, goContextBackgroundInScope, goGrpcWithoutStatsHandler, goOtelgrpcInterceptorRemoved, goNoGlobalPropagator, goHttpClientWithoutOtelhttp, goHttpServerWithoutOtelhttp,
  goSpanNotEnded,
  goSpanFromContextEnded,
  goSpanStartInLoop,
  goResponseBodyNotClosed,
  goGoroutineRequestContext,
  goGinWithoutOtelgin,
  goGormWithoutContext,
  goLogWithoutContext,
  goKafkaWithoutPropagation,
];
