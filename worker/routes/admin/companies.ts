/**
 * `/companies` (the organisations contacts belong to, `company.*` in flows) and a contact's
 * company: `GET|PUT|DELETE /contacts/{id}/company` reads, links or unlinks it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../http/api-error.ts';
import { adminRouter, errors, idParam, json, jsonBody } from '../../http/openapi.ts';
import {
  COMPANIES,
  CONTACTS,
  companyOfContact,
  getDoc,
  linkCompany,
  MAX_COMPANY_FIELDS,
  unlinkCompanyEverywhere,
} from '../../store/workspace-docs.ts';
import { docRoutes } from './workspace-doc-routes.ts';

const scalar = z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]);

export const companySchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** The company's web domain, e.g. `acme.example`. */
  domain: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, 'A domain is letters, digits, dots and hyphens')
    .optional(),
  /** Custom fields (`company.<field>` in flows). */
  fields: z
    .record(z.string().min(1).max(100), scalar)
    .refine((f) => Object.keys(f).length <= MAX_COMPANY_FIELDS, {
      message: `A company has at most ${MAX_COMPANY_FIELDS} fields`,
    })
    .optional(),
});

export const companyRoutes = adminRouter();

companyRoutes.route(
  '/',
  docRoutes({
    table: COMPANIES,
    segment: 'companies',
    name: 'Company',
    idPrefix: 'company',
    schema: companySchema,
    async beforeDelete(c, id) {
      await unlinkCompanyEverywhere(c.env, c.get('principal').workspaceId, id);
    },
  }),
);

const tags = ['Companies'];
const params = z.object({ id: idParam('id') });
const linkSchema = z
  .object({ contactId: z.string(), companyId: z.string().nullable() })
  .openapi('ContactCompany');

companyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts/{id}/company',
    operationId: 'getContactCompany',
    tags,
    summary: "A contact's company link",
    request: { params },
    responses: { 200: json(linkSchema), ...errors(404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const companyId = await companyOfContact(c.env, c.get('principal').workspaceId, id);
    if (companyId === undefined) throw notFound('Contact');
    return c.json({ contactId: id, companyId }, 200);
  },
);

companyRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/contacts/{id}/company',
    operationId: 'linkContactCompany',
    tags,
    summary: 'Link a contact to a company (replaces any link)',
    request: {
      params,
      body: jsonBody(
        z
          .object({ companyId: idParam('companyId') })
          .strict()
          .openapi('CompanyLink'),
      ),
    },
    responses: { 200: json(linkSchema), ...errors(404) },
  }),
  async (c) => {
    const { workspaceId } = c.get('principal');
    const { id } = c.req.valid('param');
    const { companyId } = c.req.valid('json');
    if (!(await getDoc(c.env, CONTACTS, workspaceId, id))) throw notFound('Contact');
    if (!(await getDoc(c.env, COMPANIES, workspaceId, companyId))) throw notFound('Company');
    await linkCompany(c.env, workspaceId, id, companyId);
    return c.json({ contactId: id, companyId }, 200);
  },
);

companyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/contacts/{id}/company',
    operationId: 'unlinkContactCompany',
    tags,
    summary: 'Unlink a contact from its company (the company stays)',
    request: { params },
    responses: { 200: json(linkSchema), ...errors(404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    if (!(await linkCompany(c.env, c.get('principal').workspaceId, id, null)))
      throw notFound('Contact');
    return c.json({ contactId: id, companyId: null }, 200);
  },
);
