import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RUNTIME_STORE } from '@baton/host';
import { CamundaSearchService, TaskService, type RuntimeStore } from '@baton/runtime';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { AssignUserTaskBody, CompleteUserTaskBody, keyParam, SearchBody, UnassignUserTaskBody } from './v2.schemas';
import { searchResult, userTaskView } from './v2-views';

/** Camunda 8.8's user tasks (Tasklist's API) on Baton's TaskService. */
@ApiExcludeController()
@UseFilters(V2ProblemFilter)
@Controller('v2/user-tasks')
export class V2UserTasksController {
  private readonly search: CamundaSearchService;

  constructor(
    @Inject(RUNTIME_STORE) store: RuntimeStore,
    @Inject(TaskService) private readonly tasks: TaskService,
  ) {
    this.search = new CamundaSearchService(store);
  }

  @Post('search')
  @HttpCode(200)
  async userTasks(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.userTasks(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), userTaskView);
  }

  @Get(':userTaskKey')
  async userTask(@Param('userTaskKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return userTaskView(await this.search.userTask(keyParam('userTaskKey', key), tenantScope(caller)));
  }

  /** Reassigns an assigned task unless `allowOverride` is false (then 409). */
  @Post(':userTaskKey/assignment')
  @HttpCode(204)
  async assign(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    const request = parse(AssignUserTaskBody, body, 'body');
    await this.tasks.assign(key, request.assignee, request.allowOverride ?? true);
  }

  @Delete(':userTaskKey/assignee')
  @HttpCode(204)
  async unassign(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    parse(UnassignUserTaskBody, body, 'body');
    await this.tasks.unassign(key);
  }

  /** 204 once the completion is recorded; a worker moves the instance on. */
  @Post(':userTaskKey/completion')
  @HttpCode(204)
  async complete(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    const request = parse(CompleteUserTaskBody, body, 'body');
    await this.tasks.complete(key, request?.variables ?? undefined);
  }
}
