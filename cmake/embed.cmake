# finshield_embed(TARGET_VAR SYMBOL FILE): turns FILE into a C source defining
#   const unsigned char SYMBOL[]; const size_t SYMBOL_len;
# and appends the generated source's path to TARGET_VAR.
function(finshield_embed out_var symbol file)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/embed_${symbol}.c)
  add_custom_command(
    OUTPUT ${gen}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${gen} -DSYM=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${file}")
  set(${out_var} ${${out_var}} ${gen} PARENT_SCOPE)
endfunction()
