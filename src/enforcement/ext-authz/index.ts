// Envoy ext_authz PEP (docs/integrations/envoy.md): the gRPC envoy.service.auth.v3.Authorization
// service and the HTTP service mode the lead mounts at <extAuthz.httpPathPrefix>/*.
export { startExtAuthzGrpc, type ExtAuthzGrpcDeps, type ExtAuthzGrpcServer } from './grpc-server.js';
export { extAuthzHttpHandler, HEADERS_TO_REMOVE, type ExtAuthzHttpDeps } from './http-handler.js';
export { UNTRUSTED_ENVOY_MESSAGE } from './ext-authz-answer.js';
export { authorizationProto, RPC_CODE, type AuthorizationProto, type CheckRequestMessage, type CheckResponseMessage } from './authorization-proto.js';
