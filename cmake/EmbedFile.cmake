# cmake -DIN=file -DOUT=file.cc -P EmbedFile.cmake
# Writes the bytes of IN as `folio::schema::kEnvelopeBfbs`.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <cstddef>\n#include <cstdint>\nnamespace folio::schema {\nalignas(8) extern const std::uint8_t kEnvelopeBfbs[${size}] = {${body}};\nextern const std::size_t kEnvelopeBfbsSize = ${size};\n}  // namespace folio::schema\n")
