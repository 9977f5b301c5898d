import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskService, type Page, type TaskView } from '@baton/runtime';
import { ApiJsonBody, ApiJsonResponse, ApiKeyParam, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { parse } from '../http/validation';
import { CurrentCaller } from '../auth/caller.decorator';
import { tenantScope, type Caller } from '../auth/caller';
import { ClaimBody, CompleteBody, TaskListQuery, TaskSchema } from './tasks.schemas';

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(@Inject(TaskService) private readonly tasks: TaskService) {}

  @Get()
  @ApiOperation({ summary: 'Open user tasks, oldest first' })
  @ApiQueryFrom(TaskListQuery)
  @ApiJsonResponse(200, page(TaskSchema), 'A page of open tasks')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<TaskView>> {
    return this.tasks.list({ ...parse(TaskListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A user task (open or not)' })
  @ApiKeyParam('id', 'The user task id')
  @ApiJsonResponse(200, TaskSchema, 'The task')
  @ApiProblems(404)
  get(@Param('id') id: string): Promise<TaskView> {
    return this.tasks.get(id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign an open task; 409 when someone else holds it' })
  @ApiKeyParam('id', 'The user task id')
  @ApiJsonBody(ClaimBody)
  @ApiJsonResponse(200, TaskSchema, 'The task after the claim')
  @ApiProblems(400, 404, 409)
  claim(@Param('id') id: string, @Body() body: unknown): Promise<TaskView> {
    return this.tasks.claim(id, parse(ClaimBody, body, 'body').assignee);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete an open task; the instance moves on' })
  @ApiKeyParam('id', 'The user task id')
  @ApiJsonBody(CompleteBody, { required: false, description: 'Optional: no body completes the task without variables' })
  @ApiJsonResponse(200, TaskSchema, 'The task, COMPLETED')
  @ApiProblems(400, 404, 409, 413, 422)
  complete(@Param('id') id: string, @Body() body: unknown): Promise<TaskView> {
    return this.tasks.complete(id, parse(CompleteBody, body ?? {}, 'body').variables);
  }
}
