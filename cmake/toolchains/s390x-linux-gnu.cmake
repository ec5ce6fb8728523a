# Cross build for s390x-linux-gnu with Debian's gcc-s390x-linux-gnu, run under qemu-user.
# The C tests link Debian's multiarch cmocka (libcmocka-dev:ARCH), whose
# pkg-config file is found through the multiarch directory below.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER s390x-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/s390x-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# '-L /': the multiarch libraries live under /usr/lib/<multiarch>, which the
# emulator finds only from the real root.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-s390x -L /)
# pkg-config reads the target's .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/s390x-linux-gnu/pkgconfig:/usr/share/pkgconfig)
