/*
 * Replays a fuzz target over stored inputs, without libFuzzer: make check
 * runs every corpus file through the sanitized build (tmux fuzz/ style).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	FILE *f;
	uint8_t *buf;
	long len;
	int i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return (1);
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		if ((buf = malloc(len + 1)) == NULL ||
		    fread(buf, 1, len, f) != (size_t)len)
			return (1);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	printf("ok - %d inputs replayed\n", argc - 1);
	return (0);
}
