"""The backends of `branchsite.infra.notifications`: console, file, locmem and HTTP gateway."""
