# lz4 1.9.4's command-line tool (the Debian lz4 source package): compress and decompress.

### main-args
break main
run -f sample.txt out.lz4
info args
p argv[1]
p argv[2]
next
next
next
info locals
continue

### compress-file
break LZ4IO_compressFilename
run -f sample.txt out.lz4
info args
p *prefs
p srcFileName
bt
finish
continue

### compress-fast
break LZ4_compress_fast
run -f -l sample.txt out.lz4
info args
p inputSize
p acceleration
x/8c source
finish
continue

### decompress
break LZ4IO_decompressFilename
run -d -f sample.txt.lz4 back.txt
info args
p *prefs
next
next
p output_filename
continue

### frame-prefs
break LZ4F_compressBegin
run -f sample.txt out.lz4
p *preferencesPtr
p preferencesPtr->frameInfo
p/x dstCapacity
ptype LZ4F_frameInfo_t
bt 3
continue

### ptype-static
ptype LZ4_stream_t
ptype LZ4IO_prefs_t
whatis LZ4_compress_fast
p sizeof(LZ4_stream_t)
info line LZ4_compress_fast
list LZ4IO_defaultPreferences
info functions ^LZ4IO_set
whatis g_displayLevel
p g_displayLevel

### tbreak-cond
tbreak main
break LZ4IO_setBlockSize if blockSize > 0
run -f -B4 sample.txt out.lz4
info breakpoints
continue
p blockSize
bt 2
continue

### watch-global
break main
run -v -f sample.txt out.lz4
watch 'lz4io.c'::g_displayLevel
continue
bt 1
continue
continue

### decode-frame
break LZ4F_decompress
run -d -f sample.txt.lz4 back.txt
p *dctx
p dctx->frameInfo
p/x *srcSizePtr
finish
continue

### step-next
break LZ4IO_defaultPreferences
run -f sample.txt out.lz4
next
next
next
step
bt 2
finish
until
info frame

### errors
break LZ4IO_compressFilename
run -f nosuch.txt out.lz4
continue
p nosuch
ptype struct nosuch
frame 5
info frame
x/2i $pc

### scope
info scope exeNameMatch
info scope usage
info scope lz4cli.c:300
info scope LZ4IO_setBlockSizeID
info scope LZ4_compress_default
info scope nosuch
break LZ4IO_setBlockSizeID
run -B5 -f sample.txt out.lz4
info scope *$pc
info scope LZ4_compress_default
continue

### break-line-before-code
# the first line with code after line 1 is a static function's first line, inlined at -O2:
# gdb keeps that line for each location (its prologue is not skipped there)
break lz4.c:1
info breakpoints

### finish-struct
# functions returning a struct by value (in memory): finish prints it as gdb does
break LZ4IO_createCResources
run -f sample.txt out.lz4
finish
p $
p $.srcBufferSize
continue

### finish-struct-d
break LZ4IO_createDResources
run -d -f sample.txt.lz4 back.txt
finish
p $$0
ptype $
continue

### asm-names
# x/i and disassemble as libopcodes and gdb name things: stderr@GLIBC_2.2.5
# (.symtab), clones by their DWARF name, the PLT and its @got.plt slots
info symbol main
x/120i main
disassemble /s LZ4_compressBound
x/8i 'LZ4IO_compressFilename'
break LZ4IO_compressFilename
run -f sample.txt out.lz4
x/4i $pc
info symbol $pc
kill
info symbol main

### x-display-more
# x's units and formats on a string argument and the stack, display with formats
break LZ4IO_compressFilename
run -f sample.txt out.lz4
x/s srcFileName
x/8xb srcFileName
x/3i $pc
x/2dw $sp
x/4c srcFileName
x/2s dstFileName
p/x *srcFileName@4
p srcFileName[0] == 's'
output/d srcFileName[0]
echo \n
display/x compressionLevel
display/s dstFileName
display/i $pc
info display
next
undisplay 2
next
info display
continue

### whatis-exprs
# whatis/ptype of expressions and of a function, its pointer, arithmetic's types
break LZ4_compress_fast
run -f -l sample.txt out.lz4
whatis source
whatis source[0]
whatis &source
whatis *dest
whatis inputSize + 1
whatis inputSize + 1L
whatis inputSize * 2.0
whatis (char)inputSize
whatis source == dest
whatis sizeof(int)
ptype source
ptype LZ4_compress_fast
whatis LZ4_compress_fast
whatis &LZ4_compress_fast
p &LZ4_compress_fast
p *LZ4_compress_fast
p inputSize > 0 ? 1 : -1
p -inputSize
p inputSize / 3.0f
continue
