-- auth101: one-time tokens for password reset and email verification (model
-- Auth101OneTimeToken; only the SHA-256 of each token is kept, never the token), and whether a
-- user's email is verified. A user's tokens are deleted with the user (ON DELETE CASCADE).
-- Unlike what `prisma migrate dev` would write, the table uses utf8mb4_bin like auth_users:
-- a foreign key column must have the same collation as the column it references.

-- AlterTable
ALTER TABLE `auth_users` ADD COLUMN `email_verified` BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE `auth_one_time_tokens` (
    `token_hash` VARCHAR(191) NOT NULL,
    `purpose` VARCHAR(191) NOT NULL,
    `user_id` VARCHAR(191) NOT NULL,
    `email` VARCHAR(320) NOT NULL,
    `expires_at` DATETIME(3) NOT NULL,

    INDEX `auth_one_time_tokens_user_id_purpose_idx`(`user_id`, `purpose`),
    PRIMARY KEY (`token_hash`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- AddForeignKey
ALTER TABLE `auth_one_time_tokens` ADD CONSTRAINT `auth_one_time_tokens_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `auth_users`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
