-- auth101: one-time tokens for password reset and email verification (model
-- Auth101OneTimeToken; only the SHA-256 of each token is kept, never the token), and whether a
-- user's email is verified. A user's tokens are deleted with the user (ON DELETE CASCADE).

-- AlterTable
ALTER TABLE "auth_users" ADD COLUMN     "email_verified" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "auth_one_time_tokens" (
    "token_hash" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "auth_one_time_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE INDEX "auth_one_time_tokens_user_id_purpose_idx" ON "auth_one_time_tokens"("user_id", "purpose");

-- AddForeignKey
ALTER TABLE "auth_one_time_tokens" ADD CONSTRAINT "auth_one_time_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "auth_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
