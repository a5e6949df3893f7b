/** Request bodies of the credential operations (spec VerifyPassword / VerifyTOTP / RemoveUserPassword / SetUserPasswordCompromised). */
import { z } from "zod";

export const verifyPasswordBody = z.object({ password: z.string().max(4096) }).strict();
export const verifyTotpBody = z.object({ code: z.string().max(256) }).strict();

/** POST remove_password (spec RemoveUserPassword). There are no sessions here to sign out of. */
export const removePasswordBody = z.object({ sign_out_of_other_sessions: z.boolean().optional() }).strict();
/** POST password/set_compromised (spec SetUserPasswordCompromised). No sessions here to revoke. */
export const setPasswordCompromisedBody = z.object({ revoke_all_sessions: z.boolean().nullable().optional() }).strict();
/** POST password/unset_compromised declares no body: only an empty one (or `{}`) is accepted. */
export const noBody = z.object({}).strict();
