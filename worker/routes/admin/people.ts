/** `/contacts`, `/users` (human agents) and `/teams` (`members` are user ids). */
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import { ApiError } from '../../http/api-error.ts';
import { adminRouter } from '../../http/openapi.ts';
import { CONTACTS, existingIds, TEAMS, teamsOfUser, USERS } from '../../store/workspace-docs.ts';
import { docRoutes } from './workspace-doc-routes.ts';

const scalar = z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]);

export const contactSchema = z.object({
  /** The site's own user id (`EdgePilot('identify', {userId})`). */
  externalId: z.string().min(1).max(200).optional(),
  email: z.email().max(320).optional(),
  name: z.string().max(200).optional(),
  phone: z.string().max(50).optional(),
  tags: z.array(z.string().min(1).max(100)).max(100).optional(),
  /** Custom attributes (`contact.<field>` in flows). */
  fields: z.record(z.string().min(1).max(100), scalar).optional(),
});

export const userSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
});

export const teamSchema = z.object({
  name: z.string().trim().min(1).max(200),
  members: z.array(z.string().min(1).max(100)).max(500),
});

export const peopleRoutes = adminRouter();

peopleRoutes.route(
  '/',
  docRoutes({
    table: CONTACTS,
    segment: 'contacts',
    name: 'Contact',
    idPrefix: 'contact',
    schema: contactSchema,
  }),
);

peopleRoutes.route(
  '/',
  docRoutes({
    table: USERS,
    segment: 'users',
    name: 'User',
    idPrefix: 'user',
    schema: userSchema,
    async beforeDelete(c, id) {
      const teams = await teamsOfUser(c.env, c.get('principal').workspaceId, id);
      if (teams.length > 0) {
        throw new ApiError(409, ErrorCode.conflict, `The user is a member of: ${teams.join(', ')}`);
      }
    },
  }),
);

peopleRoutes.route(
  '/',
  docRoutes({
    table: TEAMS,
    segment: 'teams',
    name: 'Team',
    idPrefix: 'team',
    schema: teamSchema,
    async check(c, team) {
      const found = await existingIds(c.env, USERS, c.get('principal').workspaceId, team.members);
      const issues = team.members.flatMap((id, i) =>
        found.has(id) ? [] : [{ path: `members.${i}`, message: `No user ${id}` }],
      );
      if (issues.length > 0)
        throw new ApiError(400, ErrorCode.invalidInput, 'Unknown team members', issues);
    },
  }),
);
