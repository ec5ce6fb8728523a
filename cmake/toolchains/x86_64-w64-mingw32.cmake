# Cross build for 64-bit Windows with Debian's mingw-w64, run under wine64.
# The C tests link cmocka built for Windows by scripts/platform-deps.sh into
# MEMVIEW_MINGW_PREFIX (default: build/deps/mingw64 of this source tree).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
if(NOT MEMVIEW_MINGW_PREFIX)
    get_filename_component(MEMVIEW_MINGW_PREFIX
        "${CMAKE_CURRENT_LIST_DIR}/../../build/deps/mingw64" ABSOLUTE)
endif()
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 "${MEMVIEW_MINGW_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# BOTH: a package found through CMAKE_PREFIX_PATH (an installed memview)
# is found where it is, not only under the roots above.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} "${MEMVIEW_MINGW_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
# wine64 is not on PATH in Debian; it finds cmocka's DLL through WINEPATH.
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/lib/wine/wine64)
