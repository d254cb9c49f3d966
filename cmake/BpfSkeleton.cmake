# ec_bpf_skeleton(NAME SOURCE [INCLUDES dir...]): compile SOURCE for BPF (CO-RE, against the
# generated vmlinux.h) and generate ${BPF_GEN_DIR}/NAME.skel.h with `bpftool gen skeleton`.
# The skeleton's struct prefix is NAME_bpf. Appends the skeleton's path to the variable the
# caller names with OUT.
function(ec_bpf_skeleton name src)
  cmake_parse_arguments(ARG "" "OUT" "INCLUDES;DEPENDS" ${ARGN})
  set(obj "${BPF_GEN_DIR}/${name}.bpf.o")
  set(skel "${BPF_GEN_DIR}/${name}.skel.h")
  set(incs -I "${BPF_GEN_DIR}")
  foreach(dir ${ARG_INCLUDES})
    list(APPEND incs -I "${dir}")
  endforeach()
  add_custom_command(
    OUTPUT "${obj}"
    # The prefix maps keep the tree's and the build's paths out of the object (its BTF names the
    # source files): the same source gives the same object wherever it is built.
    COMMAND "${CLANG_EXE}" -g -O2 -target bpf -D__TARGET_ARCH_${BPF_ARCH}
            "-ffile-prefix-map=${CMAKE_SOURCE_DIR}=." "-ffile-prefix-map=${CMAKE_BINARY_DIR}=build"
            -Wall -Wno-unused-function -Werror ${incs} -c "${src}" -o "${obj}"
    DEPENDS "${src}" ${ARG_DEPENDS} "${BPF_GEN_DIR}/vmlinux.h"
    COMMENT "BPF ${name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT "${skel}"
    COMMAND "${BPFTOOL_EXE}" gen skeleton "${obj}" name "${name}_bpf" > "${skel}"
    DEPENDS "${obj}"
    COMMENT "Skeleton ${name}.skel.h"
    VERBATIM)
  if(ARG_OUT)
    set(${ARG_OUT} ${${ARG_OUT}} "${skel}" PARENT_SCOPE)
  endif()
endfunction()
