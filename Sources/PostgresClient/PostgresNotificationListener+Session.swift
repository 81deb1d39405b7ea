import CLibPQ
import Foundation

/// The blocking side of the listener: runs on its own thread only.
extension PostgresNotificationListener {
    /// Connects, listens and receives until stopped, reconnecting after a break.
    func runLoop() {
        var failures = 0
        while !self.isStopping {
            let established = self.listenOnce()
            if self.isStopping { break }
            if established { failures = 0 }
            let delay = self.options.delay(attempt: failures)
            failures += 1
            self.logger.debug("reconnecting", metadata: ["delay": "\(delay)", "attempt": "\(failures)"])
            self.pause(delay)
        }
    }

    /// One session; true when `LISTEN` was in place before the connection ended.
    private func listenOnce() -> Bool {
        guard let connection = self.connect() else { return false }
        defer { PQfinish(connection) }
        guard self.listen(on: connection) else { return false }
        self.listening()
        self.receive(on: connection)
        if !self.isStopping {
            let reason = String(cString: PQerrorMessage(connection)).firstLine
            self.logger.warning("listening connection lost; reconnecting", metadata: ["reason": "\(reason)"])
        }
        return true
    }

    /// Opens a connection without blocking longer than one poll interval at a time.
    private func connect() -> OpaquePointer? {
        // TCP keepalives notice a silently dead server; the connection string may override them.
        let pairs = [("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3")]
            + self.configuration.keywordValuePairs
        let connection = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in PQconnectStartParams(keywords, values, 1) }
        }
        guard let connection else {
            self.logger.error("could not allocate a libpq connection")
            return nil
        }
        let deadline = ContinuousClock.now + .seconds(max(1, self.configuration.connectTimeoutSeconds))
        var status = PGRES_POLLING_WRITING
        while PQstatus(connection) != CONNECTION_BAD && status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED {
            guard !self.isStopping, ContinuousClock.now < deadline else { break }
            let events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT
            if self.wait(PQsocket(connection), for: events) != .timeout {
                status = PQconnectPoll(connection)
            }
        }
        guard status == PGRES_POLLING_OK, PQstatus(connection) == CONNECTION_OK else {
            if !self.isStopping {
                let reason = String(cString: PQerrorMessage(connection)).firstLine
                self.logger.warning("cannot connect to listen", metadata: ["reason": "\(reason.isEmpty ? "timed out" : reason)"])
            }
            PQfinish(connection)
            return nil
        }
        // libpq would print server notices (the FATAL before a termination, say) to stderr;
        // the loss is logged here instead.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return connection
    }

    /// `LISTEN` on every channel, names quoted by libpq as identifiers.
    private func listen(on connection: OpaquePointer) -> Bool {
        var statements: [String] = []
        for channel in self.channels {
            guard let quoted = PQescapeIdentifier(connection, channel, channel.utf8.count) else {
                self.logger.error("cannot quote a channel name", metadata: ["channel": "\(channel)"])
                return false
            }
            statements.append("listen " + String(cString: quoted))
            PQfreemem(quoted)
        }
        let result = PQexec(connection, statements.joined(separator: "; "))
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            let reason = String(cString: PQerrorMessage(connection)).firstLine
            self.logger.error("LISTEN failed", metadata: ["reason": "\(reason)"])
            return false
        }
        return true
    }

    /// Delivers notifications until the connection breaks or the listener stops.
    private func receive(on connection: OpaquePointer) {
        while !self.isStopping {
            switch self.wait(PQsocket(connection), for: POLLIN) {
            case .timeout: continue
            case .failed: return
            case .ready:
                guard PQconsumeInput(connection) == 1 else { return }
                while let notify = PQnotifies(connection) {
                    let notification = PostgresNotification(
                        channel: notify.pointee.relname.map { String(cString: $0) } ?? "",
                        payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                        backendPID: notify.pointee.be_pid)
                    PQfreemem(notify)
                    if case .dropped = self.continuation.yield(notification) {
                        self.logger.warning("notification buffer full; the oldest was dropped")
                    }
                }
                guard PQstatus(connection) == CONNECTION_OK else { return }
            }
        }
    }

    private enum Readiness { case ready, timeout, failed }

    /// One `poll()` on the socket, at most one poll interval long.
    private func wait(_ socket: Int32, for events: Int32) -> Readiness {
        guard socket >= 0 else { return .failed }
        var descriptor = pollfd(fd: socket, events: Int16(events), revents: 0)
        let result = poll(&descriptor, 1, self.options.pollInterval.pollMilliseconds)
        if result == 0 || (result < 0 && errno == EINTR) { return .timeout }
        if result < 0 || descriptor.revents & Int16(POLLNVAL) != 0 { return .failed }
        return .ready
    }

    /// Sleeps `duration` in poll-interval steps, ending early when stopped.
    private func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !self.isStopping, ContinuousClock.now < deadline {
            let step = min(self.options.pollInterval, deadline - ContinuousClock.now)
            Thread.sleep(forTimeInterval: Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18)
        }
    }
}
