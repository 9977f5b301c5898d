import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Res, UseFilters } from '@nestjs/common';
import { RUNTIME_STORE } from '@baton/host';
import { CamundaSearchService, FormService, TaskService, type RuntimeStore } from '@baton/runtime';
import type { FastifyReply } from 'fastify';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { parse } from '../http/validation';
import { V2ProblemFilter } from './v2-problem.filter';
import { V2Api, V2Body } from './v2-openapi';
import { AssignUserTaskBody, CompleteUserTaskBody, keyParam, SearchBody, UnassignUserTaskBody, UpdateUserTaskBody } from './v2.schemas';
import { searchResult, userTaskView } from './v2-views';

/** Camunda 8.8's user tasks (Tasklist's API) on Baton's TaskService. */
@V2Api()
@UseFilters(V2ProblemFilter)
@Controller('v2/user-tasks')
export class V2UserTasksController {
  private readonly search: CamundaSearchService;

  constructor(
    @Inject(RUNTIME_STORE) store: RuntimeStore,
    @Inject(TaskService) private readonly tasks: TaskService,
    @Inject(FormService) private readonly forms: FormService,
  ) {
    this.search = new CamundaSearchService(store);
  }

  @Post('search')
  @V2Body(SearchBody)
  @HttpCode(200)
  async userTasks(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<object> {
    return searchResult(await this.search.userTasks(parse(SearchBody, body, 'body') ?? {}, tenantScope(caller)), userTaskView);
  }

  @Get(':userTaskKey')
  async userTask(@Param('userTaskKey') key: string, @CurrentCaller() caller: Caller): Promise<object> {
    return userTaskView(await this.search.userTask(keyParam('userTaskKey', key), tenantScope(caller)));
  }

  /** The task's linked form (200), or 204 when it has none: embedded and external forms are not Camunda's to return. */
  @Get(':userTaskKey/form')
  async form(@Param('userTaskKey') key: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<object | undefined> {
    const task = await this.tasks.get(keyParam('userTaskKey', key));
    const form = await this.forms.formOfTask({ ...task, createdAt: new Date(task.createdAt) });
    if (form?.kind !== 'linked') {
      void reply.status(204);
      return undefined;
    }
    const { tenantId, formId, version, formKey } = form.form;
    return { tenantId, formId, schema: form.schema, version, formKey };
  }

  /** Reassigns an assigned task unless `allowOverride` is false (then 409). */
  @Post(':userTaskKey/assignment')
  @V2Body(AssignUserTaskBody)
  @HttpCode(204)
  async assign(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    const request = parse(AssignUserTaskBody, body, 'body');
    await this.tasks.assign(key, request.assignee, request.allowOverride ?? true, request.action);
  }

  /** Changes the task's dates, candidates or priority (204); with `updating` listeners, once they ran. */
  @Patch(':userTaskKey')
  @V2Body(UpdateUserTaskBody)
  @HttpCode(204)
  async update(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    const request = parse(UpdateUserTaskBody, body, 'body');
    await this.tasks.update(key, request?.changeset ?? {}, request?.action);
  }

  @Delete(':userTaskKey/assignee')
  @V2Body(UnassignUserTaskBody)
  @HttpCode(204)
  async unassign(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    parse(UnassignUserTaskBody, body, 'body');
    await this.tasks.unassign(key);
  }

  /** 204 once the completion is recorded; a worker moves the instance on. */
  @Post(':userTaskKey/completion')
  @V2Body(CompleteUserTaskBody)
  @HttpCode(204)
  async complete(@Param('userTaskKey') key: string, @Body() body: unknown): Promise<void> {
    keyParam('userTaskKey', key);
    const request = parse(CompleteUserTaskBody, body, 'body');
    await this.tasks.complete(key, request?.variables ?? undefined, request?.action);
  }
}
