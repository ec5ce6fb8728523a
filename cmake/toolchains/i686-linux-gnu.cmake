# Cross build for i686-linux-gnu with Debian's gcc-i686-linux-gnu, run under qemu-user.
# The C tests link Debian's multiarch cmocka (libcmocka-dev:ARCH), whose
# pkg-config file is found through the multiarch directory below.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/i686-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# '-L /': the multiarch libraries live under /usr/lib/<multiarch>, which the
# emulator finds only from the real root.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-i386 -L /)
# pkg-config reads the target's .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig)
