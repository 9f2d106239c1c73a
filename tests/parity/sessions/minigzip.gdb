# zlib 1.2.13's minigzip (the Debian zlib source package): gzip and gunzip a file.

### main-args
break main
run -9 sample.txt
next
next
next
p outmode
p argc
p *argv@2
p prog
info locals
continue

### compress
break gz_compress
run sample.txt
info args
bt
next
next
p len
p buf[0]
continue

### deflate-stream
break deflate
run sample.txt
p *strm
p strm->avail_in
p flush
p *strm->state
finish
continue

### uncompress
break gz_uncompress
run -d sample.txt.gz
info args
next
next
p len
p/x buf[0]@4
x/s buf
continue

### inflate-state
break inflate
run -d -c sample.txt.gz
p flush
p strm->avail_in
p *strm
p/x strm->adler
ptype strm
up
info locals
continue

### ptype-static
ptype z_stream
ptype gz_state
whatis z_streamp
ptype gzFile
p sizeof(z_stream)
whatis crc32
info line inflate
list gz_uncompress
info functions ^gz_comp
p deflate_copyright

### file-compress
break file_compress
run sample.txt
p file
p mode
next
next
next
p outfile
whatis outfile
finish
continue

### tbreak-until
tbreak main
run -d sample.txt.gz
next
next
until 600
advance file_uncompress
bt
p file
finish

### watch-local
break gz_uncompress
run -d -c sample.txt.gz
watch len
continue
continue
bt 1
delete
continue

### crc
break crc32_z
run sample.txt
p crc
p len
p buf[0]
finish
p $
p/x $
continue

### display
break inflate_fast
run -d -c sample.txt.gz
display strm->avail_in
display/x strm->total_out
next
next
info display
undisplay 2
next
continue

### watch-location
# watch -l on a local: the hits as the loop reads, then its scope ends
break gz_compress
run sample.txt
next
watch -l len
continue
continue
delete
continue

### tbreak-until
tbreak main
run sample.txt
info breakpoints
until
until
until
info frame
continue

### info-frame
break deflate
run sample.txt
info frame
up
info frame
down
continue

### ptype-fnptr
ptype alloc_func
whatis alloc_func
ptype free_func
ptype z_stream
whatis deflate
ptype deflate
p deflate
p *deflate
p &deflate
p sizeof(z_stream)

### x-i-jumps
break gz_compress
run sample.txt
x/16i $pc
x/4i gz_compress
stepi
stepi
x/2i $pc
continue

### arrays-at
break deflate
run sample.txt
p strm->next_in[0]@8
p/x *strm->next_in@4
p/c strm->next_in[0]@6
p *strm@1
p strm->avail_in@1
output strm->avail_in
continue

### list-siginfo
# list's forms, info line, display/i while stepping by instruction, $_siginfo without a signal
list main
list
list -
list gz_compress
list 100,105
list minigzip.c:50
info line gz_compress
break gz_compress
run -9 sample.txt
display/i $pc
stepi
stepi
info display
undisplay 1
p $_siginfo
p $_exitcode
kill

### frames-deflate
# up/down/frame N through zlib's frames, arrays with @ and /x, function pointers in z_stream
break deflate_slow
run -9 sample.txt
bt
up
p strm->state->status
down
info frame
frame 3
info locals
frame 0
p s->dyn_ltree[0]
p s->dyn_ltree[0]@3
p/x s->window[0]@8
p s->strm->zalloc
ptype s->strm->zalloc
whatis s->strm
p s->status
finish
continue

### zstream-setvar
break deflateInit2_
run sample.txt
p *strm
p strm->zalloc
set var strm->data_type = 1
p strm->data_type
p/x strm->adler
whatis strm->next_in
info address deflateInit2_
info line deflateInit2_
continue

### output-printf
# output, echo, printf and print's number formats, negative and floating arithmetic, non-ASCII
break gz_compress
run sample.txt
output in
echo \n
printf "%s|%d\n", "literal", 0
output/x 255
echo \ndone\n
printf "%c%c%c\n", 72, 105, 33
printf "%5d|%-5d|%05.1f\n", 42, -7, 3.14159
p -5 / 2
p -5 % 3
p 1.5e3
p 10/3.0
p (char)200
p 'A' + 1
p/c 65
p/t 10
p/o 8
p/d -1
p/u (char)-1
p "h\303\251llo"
p sizeof("h\303\251llo")
p/x "ab"
continue

### watch-local-soft
# a software watchpoint on a local (not to its frame's exit: gdb single-steps deflate's
# every instruction there, for minutes at -O0)
set can-use-hw-watchpoints 0
break gz_compress
run sample.txt
watch len
continue
continue
continue
info watchpoints
delete
continue

### call-zlib
# calls of the library's own functions: strings back, integers, $ and $$N after
break gz_compress
run sample.txt
p zlibVersion()
p zError(-3)
p *zError(-2)@4
p crc32(0, 0, 0)
call deflateBound(0, 100)
p compressBound(1000)
p $ + 1
p/x $$2
continue
