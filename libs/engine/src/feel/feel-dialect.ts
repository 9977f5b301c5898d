/**
 * The lezer-feel dialect Baton parses with. Camunda 8 models quote names
 * that hold operators or spaces in backticks (`` `order-id` ``); feelin
 * accepts them only in its `camunda` dialect.
 */
export const FEEL_DIALECT = 'camunda';
