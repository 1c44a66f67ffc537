import { Link } from 'react-router';
import { usePageTitle } from './usePageTitle';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address. <Link to="/">Go to your garage</Link>.</p>
    </>
  );
}
