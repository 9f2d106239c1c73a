# bzip2 1.0.8 (the Debian bzip2 source package): compress, test and decompress inputs/sample.txt.

### main-globals
break main
run -k -f sample.txt
p verbosity
p blockSize100k
p numFileNames
p smallMode
whatis smallMode
p opMode
finish
continue

### compress-stream
break compressStream
run -k -f sample.txt
bt
info args
next
next
next
next
p bzf
p nIbuf
p blockSize100k
continue

### copy-filename
break copyFileName
run -k -f sample.txt
info args
p from
finish
p inName
p outName
p/x longestFileName
continue

### testmode
break testStream
run -t sample.txt.bz2
bt
next
next
next
p bzf
p streamNo
info locals
continue

### block-sort
break BZ2_blockSort
run -k -f sample.txt
p *s
p s->nblock
p s->blockSize100k
ptype s
bt
finish
continue

### ptype-static
ptype bz_stream
ptype EState
whatis BZ2_crc32Table
p BZ2_crc32Table[1]
p sizeof(bz_stream)
p sizeof(EState)
info line compressStream
list uncompressStream
info address verbosity
p &verbosity
whatis &inName

### watch-global
break main
run -k -f sample.txt
watch numFilesProcessed
continue
continue
bt 1
continue

### tbreak-cond
tbreak main
break BZ2_bzWrite if len > 0
run -k -f sample.txt
info breakpoints
continue
p len
p *bzerror
bt 2
delete
continue

### decompress-x
break BZ2_bzDecompress
run -d -k -f sample.txt.bz2
p *strm
x/4xb strm->next_in
x/s strm->next_in
p strm->avail_in
p/x strm->total_in_lo32
finish
continue

### bad-input
break uncompressStream
run -t bad.bz2
continue
break cleanUpAndFail
run -d -c bad.bz2
bt
p ec
continue

### step-into
break compressStream
run -k -f sample.txt
until 346
step
bt 2
info frame
finish
next
continue

### shlib-signals
# the libraries, signal dispositions, a syscall catchpoint (not info proc mappings:
# tsdbg numbers the mappings for `snapshot mapping N`, by design)
break main
run -d -k -f sample.txt.bz2
info sharedlibrary
handle SIGUSR1 nostop noprint
info signals SIGUSR1
handle SIGALRM stop print
handle SIGINT
catch syscall write
info breakpoints
tbreak BZ2_bzDecompress
continue
info symbol $pc
bt
kill

### x-formats
# x in every unit and format on a decompressor's stream, ptype/o of its state
break BZ2_bzDecompress
run -d -k -f sample.txt.bz2
x/4dw strm
x/2gx strm
x/8c strm->next_in
x/3uh strm->next_in
x/2o strm->next_in
x/2a $sp
x/3tb strm->next_in
x/2dg &strm->total_in_lo32
ptype/o bz_stream
ptype/o struct DState
p sizeof(DState)
p/x *strm
p/d strm->avail_in
p -strm->avail_in
p -(int)strm->avail_in
output strm->avail_out
kill

### list-variants
# list by function, by range, by file:line, forward and back; info line/address of lines
list main
list
list -
list 100,105
list bzip2.c:200
list compressStream
list uncompressStream,+3
info line 335
info address compressStream
info line compressStream

### rwatch-awatch
# read and access watchpoints on globals (hardware), their table
break main
run -k -f inputs-none.txt
rwatch verbosity
continue
continue
awatch blockSize100k
continue
continue
info watchpoints
delete
continue
