// Works around a V8 crash in Node 20 (V8 11.3): with TurboFan inlining JS→wasm calls, swapping in a
// new cedar-wasm policy set after many decisions on an older one aborts the process with
// "Deoptimizer::DoComputeBuiltinContinuation ... unreachable code" (reproduced 3/3 by the
// decision benchmark; never with the flag below). A reload (SIGHUP) in a long-running server is
// exactly that sequence, so every process that calls cedar-wasm turns the inlining off. The flag
// only changes how V8 optimises those calls, and it must be set before they are optimised, which
// importing this module before any decision guarantees.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-turbo-inline-js-wasm-calls');
