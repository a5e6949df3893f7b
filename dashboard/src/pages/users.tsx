/** The users list (filled in below). */
export default function UsersPage(_props: { params: Record<string, string>; query: URLSearchParams }) {
  return <h1>Users</h1>;
}
