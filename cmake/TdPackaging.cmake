# CPack: Debian packages and a .tar.gz of the install tree (scripts/package.sh runs it).
#
#   thunderdome          the `thunderdome` command, the seed job (/usr/share/thunderdome/examples)
#                        and the cluster files (/usr/share/thunderdome/deploy). Depends: the shared
#                        libraries it links (found by dpkg-shlibdeps, so they are Debian package
#                        names: libtbb12, libfmt9, libspdlog1.10, libcurl4, libopenmpi3, ...) and
#                        openmpi-bin (mpirun, for `mpirun ... thunderdome fit`).
#   thunderdome-dev      headers, static libraries and the CMake package (find_package(thunderdome));
#                        depends on the -dev packages that thunderdomeConfig.cmake looks for.
#   python3-thunderdome  the Python module, only when a build has its target (`_thunderdome`)
#                        and installs it with COMPONENT python.
#
# A package is meant for other machines: build it with -DTD_NATIVE_KERNELS=OFF (package.sh does);
# a tree configured with ON gets a warning here, since its kernels need the build machine's CPU.
if(TD_NATIVE_KERNELS AND NOT TD_SANITIZE)
  message(STATUS "TD_NATIVE_KERNELS is ON: packages made from this tree run only on CPUs like "
                 "this one (scripts/package.sh configures with OFF)")
endif()

set(CPACK_PACKAGE_NAME thunderdome)
set(CPACK_PACKAGE_VENDOR "thunderdome")
set(CPACK_PACKAGE_CONTACT "thunderdome maintainers <thunderdome@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Spark-ML-like machine learning pipelines and tuning in C++")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_INSTALL_DIRECTORY thunderdome)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_PACKAGE_FILE_NAME thunderdome-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_SOURCE_GENERATOR "")

# Components: the .deb generator makes one package per component; the archive holds them all.
set(td_components runtime dev)
set(td_python_target "")
foreach(t _thunderdome thunderdome_python td_python)
  if(TARGET ${t})
    set(td_python_target ${t})
    break()
  endif()
endforeach()
if(td_python_target)
  list(APPEND td_components python)
endif()
set(CPACK_COMPONENTS_ALL ${td_components})
# Whatever is installed without one of these components would be left out of the packages.
get_cmake_property(td_installed_components COMPONENTS)
foreach(c ${td_installed_components})
  if(NOT c IN_LIST td_components)
    message(WARNING "install() component '${c}' is in no package (cmake/TdPackaging.cmake packages "
                    "${td_components}); give the install() call COMPONENT runtime, dev or python")
  endif()
endforeach()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

# ---- Debian
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # thunderdome_0.1.0_amd64.deb, thunderdome-dev_...
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/thunderdome/thunderdome")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME thunderdome)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(td_runtime_depends "")
if(TD_WITH_MPI)
  set(td_runtime_depends "openmpi-bin")
endif()
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "${td_runtime_depends}")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "The thunderdome command (fit, predict, show; task- and data-parallel under mpirun), the seed job (/usr/share/thunderdome/examples) and the OpenStack Heat cluster template (/usr/share/thunderdome/deploy).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME thunderdome-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What thunderdomeConfig.cmake's find_dependency() calls need (the libraries are static, so their
# private dependencies are part of the link interface).
set(td_dev_depends "thunderdome (= ${PROJECT_VERSION}-1), libtbb-dev, libfmt-dev, nlohmann-json3-dev, zlib1g-dev, libcurl4-openssl-dev | libcurl-dev, libssl-dev, libyaml-cpp-dev")
if(TD_WITH_MPI)
  string(APPEND td_dev_depends ", libopenmpi-dev")
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${td_dev_depends}")
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "The C++ library: headers, static libraries and the CMake package (find_package(thunderdome), link thunderdome::thunderdome).")

if(td_python_target)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-thunderdome)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3, python3-numpy")
  set(CPACK_DEBIAN_PYTHON_DESCRIPTION
      "The Python module: PySpark-like pipelines on the C++ engine.")
endif()

include(CPack)
