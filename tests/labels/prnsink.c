/*
 * prnsink: a fake raw "port 9100" printer for the printing tests, what a
 * Zebra or Brother network printer looks like to CUPS' socket:// backend.
 * From ../shared/labels/prnsink.c, with a port chosen by the system.
 *
 *   prnsink PORT OUTPREFIX COUNT [TIMEOUT_S]
 *
 * Listens on 127.0.0.1:PORT only (0: any free port), prints "listening on
 * 127.0.0.1:N" once it accepts connections, accepts COUNT connections one
 * after the other and writes the bytes of connection i to OUTPREFIX.i
 * (1-based). Exits 0 after COUNT connections, 1 on error or when
 * TIMEOUT_S (default 60) passes, so that it never outlives its test.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	char path[4096], buf[65536];
	ssize_t n;
	long total;
	int s, c, i, one = 1, count;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: prnsink PORT OUTPREFIX COUNT "
		    "[TIMEOUT_S]\n");
		return (2);
	}
	count = atoi(argv[3]);
	alarm(argc > 4 ? (unsigned)atoi(argv[4]) : 60);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("prnsink: socket");
		return (1);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
		perror("prnsink: bind/listen");
		return (1);
	}
	printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (i = 1; i <= count; i++) {
		if ((c = accept(s, NULL, NULL)) == -1) {
			perror("prnsink: accept");
			return (1);
		}
		snprintf(path, sizeof path, "%s.%d.part", argv[2], i);
		if ((f = fopen(path, "wb")) == NULL) {
			perror(path);
			return (1);
		}
		total = 0;
		while ((n = read(c, buf, sizeof buf)) > 0) {
			fwrite(buf, 1, (size_t)n, f);
			total += n;
		}
		fclose(f);
		/* The whole job, under its final name, only once it ended. */
		snprintf(buf, sizeof buf, "%s.%d", argv[2], i);
		rename(path, buf);
		/* EOF back to the backend: it waits for it before finishing. */
		close(c);
		fprintf(stderr, "prnsink: connection %d: %ld bytes -> %s\n", i,
		    total, buf);
	}
	close(s);
	return (0);
}
