# Compiles schemas/*.fbs with flatc (flatbuffers_generate_headers() is not
# installed on Debian) into C++ headers, plus a binary schema (.bfbs) that is
# embedded into the library so JSON rendering follows the schema by reflection.
file(GLOB FOLIO_FBS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/schemas/*.fbs)
set(FOLIO_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
set(FOLIO_GEN_HEADERS)
foreach(fbs ${FOLIO_FBS})
  get_filename_component(stem ${fbs} NAME_WE)
  list(APPEND FOLIO_GEN_HEADERS ${FOLIO_GEN_DIR}/schemas/${stem}_generated.h)
endforeach()

add_custom_command(
  OUTPUT ${FOLIO_GEN_HEADERS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FOLIO_GEN_DIR}/schemas
  COMMAND flatbuffers::flatc --cpp --scoped-enums --reflect-names --gen-mutable -I ${CMAKE_SOURCE_DIR}/schemas
          -o ${FOLIO_GEN_DIR}/schemas ${FOLIO_FBS}
  DEPENDS ${FOLIO_FBS}
  COMMENT "flatc: C++ headers for schemas/*.fbs")

set(FOLIO_BFBS ${FOLIO_GEN_DIR}/schemas/envelope.bfbs)
add_custom_command(
  OUTPUT ${FOLIO_BFBS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FOLIO_GEN_DIR}/schemas
  COMMAND flatbuffers::flatc --binary --schema --bfbs-comments -I ${CMAKE_SOURCE_DIR}/schemas
          -o ${FOLIO_GEN_DIR}/schemas ${CMAKE_SOURCE_DIR}/schemas/envelope.fbs
  DEPENDS ${FOLIO_FBS}
  COMMENT "flatc: binary schema for reflection")

set(FOLIO_BFBS_CC ${FOLIO_GEN_DIR}/schema_bfbs.cc)
add_custom_command(
  OUTPUT ${FOLIO_BFBS_CC}
  COMMAND ${CMAKE_COMMAND} -DIN=${FOLIO_BFBS} -DOUT=${FOLIO_BFBS_CC}
          -P ${CMAKE_SOURCE_DIR}/cmake/EmbedFile.cmake
  DEPENDS ${FOLIO_BFBS} ${CMAKE_SOURCE_DIR}/cmake/EmbedFile.cmake
  COMMENT "embedding envelope.bfbs")

add_library(folio_schemas STATIC ${FOLIO_BFBS_CC} ${FOLIO_GEN_HEADERS})
target_include_directories(folio_schemas PUBLIC ${FOLIO_GEN_DIR})
target_link_libraries(folio_schemas PUBLIC flatbuffers::flatbuffers)
