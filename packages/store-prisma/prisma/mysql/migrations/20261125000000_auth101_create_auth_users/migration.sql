-- auth101: the users table of @auth101/store-prisma (model Auth101User).
-- Unlike what `prisma migrate dev` would write, the table uses utf8mb4_bin: email comparison
-- must be exact (the server's default collations are case- and accent-insensitive).

-- CreateTable
CREATE TABLE `auth_users` (
    `id` VARCHAR(191) NOT NULL,
    `email` VARCHAR(320) NOT NULL,
    `password_hash` TEXT NOT NULL,
    `is_active` BOOLEAN NOT NULL DEFAULT true,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    UNIQUE INDEX `auth_users_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
