/** Structured scopes, variables and their children for tree-shaped front ends (DAP, a UI). */
export { inspect, childrenOf, defaultFormatter, MAX_ELEMENTS, type Inspected, type Formatter } from './variables.js';
export { scopeVariables, registerNodes, type ScopeKind, type RegisterNode } from './scopes.js';
