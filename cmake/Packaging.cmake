# `cpack -G DEB` in the build folder: a Debian package of everything install() names (both programs, the desktop
# entry, icon, AppStream metainfo, man pages, shell completions, sample reducers) under /usr. Its dependencies are
# read from the binaries by dpkg-shlibdeps (package dpkg-dev).
set(CPACK_PACKAGE_NAME eventscope)
set(CPACK_PACKAGE_VENDOR "The EventScope developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "read-only inspector for event-sourced stores")
set(CPACK_PACKAGE_DESCRIPTION
    "EventScope opens the database of an event-sourced application (SQLite or PostgreSQL; Emmett, Message DB, \
Marten, Eventuous, Axon, Rails Event Store, Commanded, Python eventsourcing or cqrs-es tables) and browses its \
streams and events, filters them, replays a stream's state event by event, shows projection lag and exports \
slices of history. It never writes to the store it inspects. eventscope-cli offers the same for scripts.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(EVENTSCOPE_MAINTAINER "The EventScope developers <maintainers@eventscope.io>" CACHE STRING
    "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EVENTSCOPE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # eventscope_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${EVENTSCOPE_REPOSITORY_URL}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Added to what shlibdeps finds: libqt6gui6 only recommends the platform plugins (xcb, wayland), and without them
# the GUI cannot open a window.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-client")

include(CPack)
