import Synchronization

/// Wakes idle worker slots the moment an account may have become due, instead of at their
/// next poll.
///
/// Signals coalesce: any number of them between two looks for work cost one claim per slot,
/// and the claim's lease (`claim_calendar_accounts`) keeps it one sync per account. A slot
/// takes a `Ticket` before it looks for work and waits with it, so a signal that arrives
/// while it is claiming is not lost: the wait returns at once. A wake-up that is never
/// signalled leaves the worker polling.
public final class SyncWakeUp: Sendable {
    /// Where a slot stood when it last looked for work.
    public struct Ticket: Sendable {
        fileprivate let generation: UInt64
    }

    private let state = Mutex(State())

    private struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: Waiter] = [:]
    }

    private enum Waiter {
        case registering
        case cancelled
        case waiting(CheckedContinuation<Bool, Never>)
    }

    public init() {}

    /// Something may be due (a sync was requested, a webhook arrived, the listener reconnected
    /// and may have missed notifications): every waiting slot looks for work now.
    public func signal() {
        let woken = self.state.withLock { state in
            state.generation &+= 1
            var woken: [CheckedContinuation<Bool, Never>] = []
            for (id, waiter) in state.waiters {
                if case .waiting(let continuation) = waiter {
                    woken.append(continuation)
                    state.waiters[id] = nil
                }
            }
            return woken
        }
        woken.forEach { $0.resume(returning: true) }
    }

    /// Take one before looking for work.
    public func ticket() -> Ticket {
        Ticket(generation: self.state.withLock { $0.generation })
    }

    /// Waits until a signal newer than `ticket` (perhaps one already given), `timeout`, or
    /// cancellation, whichever comes first. True when signalled.
    @discardableResult
    public func wait(since ticket: Ticket, upTo timeout: Duration) async -> Bool {
        if self.state.withLock({ $0.generation != ticket.generation }) { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.signalled(since: ticket) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Suspends until signalled after `ticket`; false when cancelled first.
    private func signalled(since ticket: Ticket) async -> Bool {
        let id = self.state.withLock { state in
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = .registering
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now: Bool? = self.state.withLock { state in
                    if case .cancelled = state.waiters[id] {
                        state.waiters[id] = nil
                        return false
                    }
                    if state.generation != ticket.generation {
                        state.waiters[id] = nil
                        return true
                    }
                    state.waiters[id] = .waiting(continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Bool, Never>? = self.state.withLock { state in
                switch state.waiters[id] {
                case .registering:
                    state.waiters[id] = .cancelled
                    return nil
                case .waiting(let continuation):
                    state.waiters[id] = nil
                    return continuation
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(returning: false)
        }
    }
}
