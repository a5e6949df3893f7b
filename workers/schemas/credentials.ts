/** Request bodies of the credential verify operations (spec VerifyPassword / VerifyTOTP). */
import { z } from "zod";

export const verifyPasswordBody = z.object({ password: z.string().max(4096) }).strict();
export const verifyTotpBody = z.object({ code: z.string().max(256) }).strict();
