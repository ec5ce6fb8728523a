# cmake -DMANIFEST=<install_manifest.txt> -P uninstall.cmake
#
# Removes every file the install recorded in MANIFEST, then the directories
# memview alone created (its CMake package directory) once they are empty.
# As for the install, the environment's DESTDIR (a staging root) is put in
# front of every path: the manifest records them without it.
if(NOT MANIFEST OR NOT EXISTS "${MANIFEST}")
    message(FATAL_ERROR "uninstall: no install manifest (${MANIFEST}); "
                        "nothing was installed from this build tree")
endif()
file(STRINGS "${MANIFEST}" files)
set(removed 0)
foreach(installed IN LISTS files)
    set(f "$ENV{DESTDIR}${installed}")
    if(IS_SYMLINK "${f}" OR EXISTS "${f}")
        file(REMOVE "${f}")
        if(IS_SYMLINK "${f}" OR EXISTS "${f}")
            message(FATAL_ERROR "uninstall: could not remove ${f}")
        endif()
        math(EXPR removed "${removed} + 1")
    endif()
    if(f MATCHES "/cmake/memview/[^/]+$")
        get_filename_component(dir "${f}" DIRECTORY)
        set(pkgdir "${dir}")
    endif()
endforeach()
if(pkgdir AND IS_DIRECTORY "${pkgdir}")
    file(GLOB left "${pkgdir}/*")
    if(NOT left)
        file(REMOVE_RECURSE "${pkgdir}")
    endif()
endif()
list(LENGTH files total)
message(STATUS "uninstall: removed ${removed} of ${total} installed files")
