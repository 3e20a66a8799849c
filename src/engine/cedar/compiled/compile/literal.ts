// EST literals to runtime values. Entity literals are interned once here, so evaluation compares
// them to request entities by identity.
import type { EntityUidLiteral, LiteralValue } from '../est.js';
import { EntityUid, type Value } from '../value.js';

export function entityFromLiteral(literal: EntityUidLiteral): EntityUid {
  return EntityUid.of(literal.type, literal.id);
}

export function valueFromLiteral(literal: LiteralValue): Value {
  if (typeof literal === 'object') return entityFromLiteral(literal.__entity);
  return literal;
}
