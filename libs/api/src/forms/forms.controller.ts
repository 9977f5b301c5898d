import type {} from '@fastify/multipart';
import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  DEFAULT_TENANT,
  DefinitionRegistry,
  FormService,
  formView,
  RuntimeError,
  RuntimeErrorCode,
  TaskService,
  type FormView,
  type Page,
  type TaskForm,
} from '@baton/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inTenant, tenantScope, type Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { VersionQuery } from '../definitions/definitions.schemas';
import { ApiJsonResponse, ApiKeyParam, ApiProblems, ApiQueryFrom, page } from '../http/openapi';
import { utf8 } from '../http/utf8';
import { parse } from '../http/validation';
import { DeployFormsResponse, FormListQuery, FormSchema, FormWithSchemaSchema, TaskFormSchema } from './forms.schemas';

/** Camunda Forms over `/api/v1`: deploy a `.form`, list and read versions, and the form a user task shows. */
@ApiTags('forms')
@Controller()
export class FormsController {
  constructor(
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
    @Inject(FormService) private readonly forms: FormService,
    @Inject(TaskService) private readonly tasks: TaskService,
  ) {}

  @Post('forms')
  @ApiOperation({
    summary: 'Deploy a Camunda Form',
    description:
      'The form (the JSON Camunda Modeler saves as `.form`, with a string `id`) becomes a new version of its id, unless it is identical to the latest version. 201 when it was new, 200 otherwise. Send the form itself as the JSON body, or as multipart field `file`.',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { type: 'object', description: 'The form', example: { id: 'approve-order', type: 'default', components: [] } } },
        'multipart/form-data': {
          schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
        },
      },
    },
  })
  @ApiJsonResponse(201, DeployFormsResponse, 'Deployed: a new version')
  @ApiJsonResponse(200, DeployFormsResponse, 'Nothing new: the latest version')
  @ApiProblems(400, 413, 415)
  async deploy(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ deploymentKey: string; forms: FormView[] }> {
    const { name, text } = await formDocumentOf(request);
    const result = await this.registry.deployResources([{ name, xml: text }]);
    void reply.status(result.created ? 201 : 200);
    return {
      deploymentKey: result.deploymentId,
      forms: result.resources.flatMap((r) => (r.form === undefined ? [] : [formView(r.form)])),
    };
  }

  @Get('forms')
  @ApiOperation({ summary: 'The latest version of each form id, by form id' })
  @ApiQueryFrom(FormListQuery)
  @ApiJsonResponse(200, page(FormSchema), 'A page of forms')
  @ApiProblems(400)
  list(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<Page<FormView>> {
    return this.forms.listLatest({ ...parse(FormListQuery, query, 'query'), tenants: tenantScope(caller) });
  }

  @Get('forms/:key')
  @ApiOperation({ summary: 'A deployed version of a form (default the latest), with its JSON' })
  @ApiParam({ name: 'key', required: true, description: "The form's `id` (as processes and decisions are read by their ids)", schema: { type: 'string', example: 'approve-order' } })
  @ApiQueryFrom(VersionQuery)
  @ApiJsonResponse(200, FormWithSchemaSchema, 'The form')
  @ApiProblems(400, 404)
  get(@Param('key') formId: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<FormView & { schema: unknown }> {
    const version = parse(VersionQuery, query, 'query').version;
    if (!inTenant(caller, DEFAULT_TENANT)) throw RuntimeError.notFound(`form '${formId}'`);
    return this.forms.byFormId(formId, DEFAULT_TENANT, version);
  }

  @Get('tasks/:id/form')
  @ApiOperation({
    summary: 'The form a user task shows',
    description:
      'A linked form (`zeebe:formDefinition formId`) in the version the task is bound to (`bindingType`: the latest deployed before the task was created, the one deployed with its process, or the latest with a version tag), an embedded `zeebe:userTaskForm`, or the external reference. 404 when the task has none, or its linked form is not deployed.',
  })
  @ApiKeyParam('id', 'The user task id')
  @ApiJsonResponse(200, TaskFormSchema, 'The form')
  @ApiProblems(404)
  async taskForm(@Param('id') id: string): Promise<TaskForm> {
    const task = await this.tasks.get(id);
    const form = await this.forms.formOfTask({ ...task, createdAt: new Date(task.createdAt) });
    if (form === null) throw RuntimeError.notFound(`a form of user task ${id}`);
    return form;
  }
}

/** The form of a deploy request: the JSON body itself, or the multipart field `file`. */
async function formDocumentOf(request: FastifyRequest): Promise<{ name: string; text: string }> {
  if (request.isMultipart()) {
    const file = await request.file();
    if (file === undefined || file.fieldname !== 'file') throw badRequest(`the multipart body has no file field 'file'`, 'file');
    const text = utf8(await file.toBuffer());
    if (text instanceof RuntimeError) throw text;
    const name = file.filename && /\.form$/i.test(file.filename) ? file.filename : `${file.filename || 'form'}.form`;
    return { name, text };
  }
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw badRequest('send the form as a JSON object (the `.form` file) or as multipart field `file`', 'body');
  }
  const id = (body as { id?: unknown }).id;
  return { name: `${typeof id === 'string' && id !== '' ? id : 'form'}.form`, text: JSON.stringify(body) };
}

const badRequest = (message: string, field: string): RuntimeError => new RuntimeError(RuntimeErrorCode.BadRequest, message, [{ field, message }]);
