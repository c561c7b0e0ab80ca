# Turn the files of a programme profile into C strings (kitstockd's
# built-in profile): awk -f embed.awk daemon/profiles/93/*
# (-v var=NAME names the array: the dashboard's files use it too).
BEGIN {
	if (var == "")
		var = "profile_builtin"
	print "/* Generated from daemon/profiles/ by embed.awk: do not edit. */"
	print ""
	print "#include \"kitstockd.h\""
	print ""
	print "const struct profile_file " var "[] = {"
}
FNR == 1 {
	if (NR != 1)
		print "\t},"
	f = FILENAME
	sub(/.*\//, "", f)
	printf "\t{ \"%s\", \"\"\n", f
}
{
	gsub(/\\/, "\\\\")
	gsub(/"/, "\\\"")
	printf "\t    \"%s\\n\"\n", $0
}
END {
	print "\t},"
	print "\t{ NULL, NULL }"
	print "};"
}
