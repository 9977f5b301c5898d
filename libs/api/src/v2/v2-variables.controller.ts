import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { RUNTIME_STORE } from '@baton/host';
import { CamundaSearchService, type KeyedVariable, type RuntimeStore } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { keyParam, SearchBody } from './v2.schemas';
import { searchResult } from './v2-views';

/** Values longer than this many characters are cut in search answers (Camunda's default threshold); a get answers them whole. */
export const VARIABLE_PREVIEW_CHARS = 8191;

/**
 * Camunda 8.8's variables: the process-scope variables of every instance,
 * values as JSON text. A variable's key is handed out the first time a
 * search returns it and names the same instance and variable name forever.
 */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/variables')
export class V2VariablesController {
  private readonly search: CamundaSearchService;

  constructor(@Inject(RUNTIME_STORE) store: RuntimeStore) {
    this.search = new CamundaSearchService(store);
  }

  @Post('search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async variables(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.variables(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), (v) => {
      const value = jsonText(v);
      const isTruncated = value.length > VARIABLE_PREVIEW_CHARS;
      return { ...base(v), value: isTruncated ? value.slice(0, VARIABLE_PREVIEW_CHARS) : value, isTruncated };
    });
  }

  @Get(':variableKey')
  async variable(@Param('variableKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    const v = await this.search.variable(keyParam('variableKey', key), tenantScope(caller));
    return { ...base(v), value: jsonText(v) };
  }
}

const base = (v: KeyedVariable) => ({
  name: v.name,
  tenantId: v.tenantId,
  variableKey: v.key,
  scopeKey: v.scopeId,
  processInstanceKey: v.instanceId,
});

/** The value as compact JSON text (the store may print it with spaces). */
const jsonText = (v: KeyedVariable): string => JSON.stringify(JSON.parse(v.value));
