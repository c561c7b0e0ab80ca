/*
 * GET /v1/backup: a consistent copy of the database, made with SQLite's
 * online backup while the daemon serves, streamed to the client (which
 * writes and rotates the files: kitstock backup).
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstockd.h"

void
api_backup(struct req *req)
{
	struct stat sb;
	char *path, *cause = NULL;
	int fd;

	/* Beside the database: same filesystem, the daemon may write there. */
	xasprintf(&path, "%s.backup-XXXXXX", store_file());
	if ((fd = mkstemp(path)) == -1) {
		log_warn("backup: %s", path);
		reply_error(req, 503, "backup_failed", NULL,
		    _("the backup could not be made: no room for a temporary "
		    "copy beside the database"));
		free(path);
		return;
	}
	close(fd);
	unlink(path);
	if (store_backup_to(path, &cause) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		log_warnx("backup: %s", cause != NULL ? cause : path);
		reply_error(req, 503, "backup_failed", NULL,
		    _("the backup could not be made; see the daemon's log"));
		free(cause);
		unlink(path);
		free(path);
		return;
	}
	/* The open descriptor keeps the bytes until they are sent. */
	unlink(path);
	free(path);
	log_info("backup of %lld bytes sent to %s", (long long)sb.st_size,
	    req->actor.name);
	reply_file(req, 200, "application/vnd.sqlite3", fd, sb.st_size);
}
