/*
 * Fuzz target: the configuration file reader on arbitrary contents.
 */

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kitstockd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct config c;
	char path[64];

	if (fd == -1) {
		/* Bad lines go to syslog, not to libFuzzer's output. */
		log_init(0, 0);
		if ((fd = memfd_create("kitstockd.conf", 0)) == -1)
			abort();
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	config_defaults(&c);
	(void)config_load(path, &c);
	config_free(&c);
	return (0);
}
